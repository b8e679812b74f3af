package vuln

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"signbox/airgap"
)

// ManifestName is the snapshot manifest at the root of a feed snapshot:
// airgap's feed.json (kind signbox.osv-feed/v1), listing each ecosystem's
// all.zip with its SHA-256 and size and the snapshot time. The same media
// therefore passes `signbox feed import` and `signbox vuln import`.
const ManifestName = airgap.FeedManifest

// ErrFeedHash reports a snapshot file whose hash or size differs from the
// manifest, or a file the manifest does not list.
var ErrFeedHash = errors.New("feed does not match its manifest")

// ErrFeedTooOld reports a feed snapshot older than the policy allows
// relative to the ceremony date.
var ErrFeedTooOld = errors.New("feed too old")

// WriteManifest hashes every <Ecosystem>/all.zip under dir and returns the
// feed.json bytes; created is the snapshot time the operator vouches for
// and source says where the snapshot came from.
func WriteManifest(dir string, created time.Time, source string) ([]byte, error) {
	zips, err := findZips(dir)
	if err != nil {
		return nil, err
	}
	if len(zips) == 0 {
		return nil, fmt.Errorf("%s: no <Ecosystem>/all.zip files", dir)
	}
	m := airgap.Feed{Kind: airgap.KindFeed, Source: source, Snapshot: created.UTC().Format(time.RFC3339)}
	for _, p := range zips {
		sum, size, err := hashFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, airgap.FeedFile{Ecosystem: path.Dir(p),
			FileRef: airgap.FileRef{Path: p, SHA256: sum, Size: size}})
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, err := airgap.ParseFeed(out); err != nil {
		return nil, fmt.Errorf("manifest for %s: %w", dir, err)
	}
	return append(out, '\n'), nil
}

// findZips lists the all.zip files one level below dir, slash-separated.
func findZips(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read feed directory: %w", err)
	}
	var zips []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p := e.Name() + "/all.zip"
		if _, err := os.Lstat(filepath.Join(dir, e.Name(), "all.zip")); err == nil {
			zips = append(zips, p)
		}
	}
	sort.Strings(zips)
	return zips, nil
}

func hashFile(path string) (string, int64, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return "", 0, err
	}
	if !fi.Mode().IsRegular() {
		return "", 0, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > MaxZipBytes {
		return "", 0, fmt.Errorf("%s: %d bytes, more than %d", path, fi.Size(), MaxZipBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, MaxZipBytes+1))
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// readManifest loads and checks the manifest in dir against the files
// beside it. It returns the manifest and the SHA-256 of its bytes.
func readManifest(dir string) (*airgap.Feed, time.Time, string, error) {
	data, err := readLimited(filepath.Join(dir, ManifestName), MaxManifestBytes)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, time.Time{}, "", fmt.Errorf("%w: %s is missing", ErrFeedHash, ManifestName)
		}
		return nil, time.Time{}, "", err
	}
	m, err := airgap.ParseFeed(data)
	if err != nil {
		return nil, time.Time{}, "", err
	}
	created, err := m.SnapshotTime()
	if err != nil {
		return nil, time.Time{}, "", err
	}
	if err := verifyListing(dir, m); err != nil {
		return nil, time.Time{}, "", err
	}
	sum := sha256.Sum256(data)
	return m, created, hex.EncodeToString(sum[:]), nil
}

// verifyListing refuses files the manifest does not list (unlisted input
// is unverified input) and listed files that are missing. The hashes are
// checked by loadZip on the very bytes that get parsed, so a file swapped
// after this check is still caught.
func verifyListing(dir string, m *airgap.Feed) error {
	listed := map[string]bool{airgap.FeedManifest: true, airgap.FeedSignature: true}
	for _, f := range m.Files {
		listed[f.Path] = true
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrFeedHash, f.Path, err)
		}
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if !listed[filepath.ToSlash(rel)] {
			return fmt.Errorf("%w: %s is not listed in %s", ErrFeedHash, filepath.ToSlash(rel), ManifestName)
		}
		return nil
	})
}

// loadZip reads one listed zip into memory and checks it against the
// manifest.
func loadZip(dir string, f airgap.FileRef) ([]byte, error) {
	path := filepath.Join(dir, filepath.FromSlash(f.Path))
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrFeedHash, f.Path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrFeedHash, f.Path)
	}
	data, err := readLimited(path, MaxZipBytes)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != f.SHA256 || int64(len(data)) != f.Size {
		return nil, fmt.Errorf("%w: %s has sha256 %s and %d bytes, manifest says %s and %d bytes",
			ErrFeedHash, f.Path, got, len(data), f.SHA256, f.Size)
	}
	return data, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes", path, limit)
	}
	return data, nil
}
