package vuln

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

// ManifestName is the file in a feed snapshot's root that lists every
// all.zip with its SHA-256 and size. It is written on the connected side
// (signbox vuln manifest) and checked before anything in the snapshot is
// trusted.
const ManifestName = "manifest.json"

const manifestFormat = "signbox-osv-snapshot/1"

// Manifest describes a feed snapshot.
type Manifest struct {
	Format string `json:"format"`
	// Created is when the snapshot was taken; the feed-age policy is
	// measured from it.
	Created time.Time      `json:"created"`
	Files   []ManifestFile `json:"files"`
}

// ManifestFile is one <Ecosystem>/all.zip.
type ManifestFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ErrFeedHash reports a snapshot file whose hash or size differs from the
// manifest, or a zip the manifest does not list.
var ErrFeedHash = errors.New("feed does not match its manifest")

// ErrFeedTooOld reports a feed snapshot older than the policy allows
// relative to the ceremony date.
var ErrFeedTooOld = errors.New("feed too old")

// Ecosystem directory names as osv.dev exports them ("Go", "crates.io",
// "Debian:12", "Red Hat"...): no separators, no leading dot.
var zipPath = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9 .:_+-]*)/all\.zip$`)

// WriteManifest hashes every <Ecosystem>/all.zip under dir and returns the
// manifest bytes; created is the snapshot time the operator vouches for.
func WriteManifest(dir string, created time.Time) ([]byte, error) {
	zips, err := findZips(dir)
	if err != nil {
		return nil, err
	}
	if len(zips) == 0 {
		return nil, fmt.Errorf("%s: no <Ecosystem>/all.zip files", dir)
	}
	m := Manifest{Format: manifestFormat, Created: created.UTC()}
	for _, p := range zips {
		sum, size, err := hashFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, ManifestFile{Path: p, SHA256: sum, Size: size})
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
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
func readManifest(dir string) (*Manifest, string, error) {
	data, err := readLimited(filepath.Join(dir, ManifestName), MaxManifestBytes)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("%w: %s is missing", ErrFeedHash, ManifestName)
		}
		return nil, "", err
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, "", fmt.Errorf("%s: %w", ManifestName, err)
	}
	if err := m.check(); err != nil {
		return nil, "", fmt.Errorf("%s: %w", ManifestName, err)
	}
	if err := m.verify(dir); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return &m, hex.EncodeToString(sum[:]), nil
}

func (m *Manifest) check() error {
	if m.Format != manifestFormat {
		return fmt.Errorf("format %q, want %q", m.Format, manifestFormat)
	}
	if m.Created.IsZero() {
		return errors.New("created is missing")
	}
	if len(m.Files) == 0 {
		return errors.New("no files listed")
	}
	seen := map[string]bool{}
	for i, f := range m.Files {
		if !zipPath.MatchString(f.Path) {
			return fmt.Errorf("files[%d]: path %q is not <Ecosystem>/all.zip", i, f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("files[%d]: %s listed twice", i, f.Path)
		}
		seen[f.Path] = true
		if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("files[%d]: sha256 %q is not 64 hex digits", i, f.SHA256)
		}
	}
	return nil
}

// verify refuses zips the manifest does not list (an unlisted zip is
// unverified input) and listed zips that are missing. The hashes are
// checked by loadZip on the very bytes that get parsed, so a file swapped
// after this check is still caught.
func (m *Manifest) verify(dir string) error {
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrFeedHash, f.Path, err)
		}
	}
	found, err := findZips(dir)
	if err != nil {
		return err
	}
	for _, p := range found {
		if !listed[p] {
			return fmt.Errorf("%w: %s is not listed in %s", ErrFeedHash, p, ManifestName)
		}
	}
	return nil
}

// loadZip reads one listed zip into memory and checks it against the
// manifest.
func loadZip(dir string, f ManifestFile) ([]byte, error) {
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
