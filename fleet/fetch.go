package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"

	"signbox/airgap"
	"signbox/internal/atomicfile"
	"signbox/publish"
)

// titleRE is what a layer title (a bundle path) may look like: relative,
// slash-separated, no dot-dot, no hidden names.
var titleRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$`)

// fetchBundle fetches the manifest TUF pinned by SHA-256 and length, then
// every layer by digest (from the blob cache when present), and writes the
// bundle into a new directory under CacheDir/bundles, renamed into place
// only when complete.
func fetchBundle(ctx context.Context, cfg Config, sha string, length int64, mediaType string) (dir string, total, fetched int64, err error) {
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.NewDigestFromEncoded(digest.SHA256, sha), Size: length}
	m, _, err := publish.FetchManifest(ctx, cfg.Source, desc)
	if err != nil {
		return "", 0, 0, fmt.Errorf("%w: %w", ErrContent, err)
	}
	if err := checkLayers(m); err != nil {
		return "", 0, 0, fmt.Errorf("%w: manifest %s: %w", ErrContent, desc.Digest, err)
	}
	for _, l := range m.Layers {
		total += l.Size
	}
	final := filepath.Join(cfg.CacheDir, "bundles", sha)
	if _, err := os.Stat(final); err == nil {
		return final, total, 0, nil
	}
	if err := os.MkdirAll(filepath.Join(cfg.CacheDir, "blobs"), 0o700); err != nil {
		return "", 0, 0, err
	}
	tmp := filepath.Join(cfg.CacheDir, "bundles", ".incoming-"+randHex())
	defer os.RemoveAll(tmp)
	var done int64
	for _, l := range m.Layers {
		data, got, err := blob(ctx, cfg, l)
		if err != nil {
			return "", 0, 0, err
		}
		fetched += got
		p := filepath.Join(tmp, filepath.FromSlash(l.Annotations[ocispec.AnnotationTitle]))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return "", 0, 0, err
		}
		if err := atomicfile.WriteNew(p, data, 0o600); err != nil {
			return "", 0, 0, err
		}
		done += l.Size
		if cfg.Progress != nil {
			cfg.Progress(done, total)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", 0, 0, err
	}
	return final, total, fetched, atomicfile.SyncDir(filepath.Dir(final))
}

// checkLayers refuses a manifest that could not be a signbox bundle: the
// wrong artifact type, too many or too large layers, a bad or repeated
// title. (The bundle's own signature is checked at install.)
func checkLayers(m ocispec.Manifest) error {
	lim := airgap.BundleLimits
	if m.ArtifactType != publish.ArtifactType {
		return fmt.Errorf("artifact type %q, want %q", m.ArtifactType, publish.ArtifactType)
	}
	if len(m.Layers) == 0 || len(m.Layers) > lim.MaxEntries {
		return fmt.Errorf("%d layers (1 to %d allowed)", len(m.Layers), lim.MaxEntries)
	}
	seen := map[string]bool{}
	var total int64
	for _, l := range m.Layers {
		t := l.Annotations[ocispec.AnnotationTitle]
		switch {
		case l.MediaType != publish.FileMediaType:
			return fmt.Errorf("layer %s: media type %q", l.Digest, l.MediaType)
		case !titleRE.MatchString(t) || path.Clean(t) != t || seen[t]:
			return fmt.Errorf("layer %s: title %q is not a fresh bundle path", l.Digest, t)
		case l.Size < 0 || l.Size > lim.MaxFileBytes && l.Size > airgap.MaxImageBytes:
			return fmt.Errorf("layer %s (%s): %d bytes is over the limit", l.Digest, t, l.Size)
		}
		seen[t] = true
		total += l.Size
	}
	if total > lim.MaxTotalBytes {
		return fmt.Errorf("layers total %d bytes, over %d", total, lim.MaxTotalBytes)
	}
	return nil
}

// blob returns a layer's bytes, from the blob cache if there (checked
// again) or else from the source (size and digest checked by
// content.FetchAll) and then cached. got is the bytes downloaded.
func blob(ctx context.Context, cfg Config, l ocispec.Descriptor) (data []byte, got int64, err error) {
	if err := l.Digest.Validate(); err != nil || l.Digest.Algorithm() != digest.SHA256 {
		return nil, 0, fmt.Errorf("%w: layer digest %q", ErrContent, l.Digest)
	}
	cached := filepath.Join(cfg.CacheDir, "blobs", l.Digest.Encoded())
	if b, err := os.ReadFile(cached); err == nil && int64(len(b)) == l.Size {
		if digest.FromBytes(b) == l.Digest {
			return b, 0, nil
		}
	}
	b, err := content.FetchAll(ctx, cfg.Source, l)
	if err != nil {
		if errors.Is(err, content.ErrMismatchedDigest) || errors.Is(err, content.ErrTrailingData) {
			return nil, 0, fmt.Errorf("%w: layer %s: %w", ErrContent, l.Digest, err)
		}
		return nil, 0, fmt.Errorf("fetch layer %s: %w", l.Digest, err)
	}
	os.Remove(cached) // a corrupt cached copy
	if err := atomicfile.WriteNew(cached, b, 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, 0, err
	}
	return b, int64(len(b)), nil
}

func randHex() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
