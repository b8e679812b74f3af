package fleet

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"
	"golang.org/x/mod/semver"
	"oras.land/oras-go/v2"

	"signbox/publish"
)

// Config is one device's view of the update source.
type Config struct {
	Source oras.ReadOnlyTarget
	// TrustedRoot is the TUF root the device shipped with; once the cache
	// holds a root, the cached (newest verified) one is used instead.
	TrustedRoot []byte
	// CacheDir keeps the device's TUF metadata (what rollback protection
	// compares against) and fetched blobs. It must persist between pulls.
	CacheDir string
	Now      time.Time
	DeviceID string // the device's serial; its wave bucket is hashed from it
	Group    string // the device's rollout group ("" for none)
	Product  string
	Chip     string // manifest form, e.g. "esp32c6"
	// Progress, if set, is called after each blob with bytes done and total.
	Progress func(done, total int64)
}

// Pulled is a fetched release, laid out as a bundle directory.
type Pulled struct {
	TargetPath string
	Custom     publish.Custom
	Wave       string // the rollout wave that admitted the device
	Dir        string // bundle directory (under CacheDir)
	Bytes      int64  // layer bytes of the bundle
	Fetched    int64  // of which downloaded now (the rest came from the blob cache)
}

// Refresh runs the TUF client workflow and returns the newest target for
// the device, rollout not yet checked.
func refresh(ctx context.Context, cfg Config) (*candidate, error) {
	metaDir := filepath.Join(cfg.CacheDir, "tuf")
	if err := os.MkdirAll(metaDir, 0o700); err != nil {
		return nil, err
	}
	root := cfg.TrustedRoot
	if cached, err := os.ReadFile(filepath.Join(metaDir, "root.json")); err == nil {
		root = cached
	}
	uc, err := config.New("oci://signbox/", root)
	if err != nil {
		return nil, err
	}
	var last string
	uc.Fetcher = ociFetcher{ctx: ctx, src: cfg.Source, last: &last}
	uc.LocalMetadataDir = metaDir
	uc.LocalTargetsDir = filepath.Join(cfg.CacheDir, "targets")
	uc.RootMaxLength, uc.TimestampMaxLength = publish.MaxMetadataBytes, 16<<10
	uc.SnapshotMaxLength, uc.TargetsMaxLength = publish.MaxMetadataBytes, publish.MaxMetadataBytes
	up, err := updater.New(uc)
	if err != nil {
		return nil, fmt.Errorf("%w: trusted root: %w", ErrMetadata, err)
	}
	up.UnsafeSetRefTime(cfg.Now.UTC()) // the device's clock, not the host's
	if err := up.Refresh(); err != nil {
		return nil, fmt.Errorf("%w: checking %s: %w", ErrMetadata, last, err)
	}
	return newest(up.GetTopLevelTargets(), cfg.Product, cfg.Chip)
}

// Pull refreshes TUF metadata, picks the newest release for the device,
// checks the rollout plan and fetches the bundle. current is the version
// the device runs: if the newest release is that one, ErrUpToDate.
func Pull(ctx context.Context, cfg Config, current string) (*Pulled, error) {
	c, err := refresh(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if c.custom.Version == current {
		return nil, fmt.Errorf("%w: %s", ErrUpToDate, c.path)
	}
	if semver.IsValid("v"+current) && semver.Compare("v"+c.custom.Version, "v"+current) < 0 {
		return nil, fmt.Errorf("%w: it runs %s, newer than the newest published %s", ErrUpToDate, current, c.path)
	}
	wave, err := c.custom.Rollout.Eligible(c.path, cfg.DeviceID, cfg.Group, cfg.Now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	sum, ok := c.file.Hashes["sha256"]
	if !ok || len(sum) != 32 {
		return nil, fmt.Errorf("%w: target %s has no SHA-256", ErrMetadata, c.path)
	}
	p := &Pulled{TargetPath: c.path, Custom: c.custom, Wave: wave}
	p.Dir, p.Bytes, p.Fetched, err = fetchBundle(ctx, cfg, hex.EncodeToString(sum), c.file.Length, c.custom.MediaType)
	if err != nil {
		return nil, err
	}
	return p, nil
}
