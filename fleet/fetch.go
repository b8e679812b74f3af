package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"

	"signbox/airgap"
	"signbox/publish"
)

// titleRE is what a layer title (a bundle path) may look like: relative,
// slash-separated, no dot-dot, no hidden names.
var titleRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$`)

// fetchBundle fetches the manifest TUF pinned by SHA-256 and length, then
// every layer by digest (from the blob cache when present), and lays the
// bundle out in a new directory under CacheDir/bundles, renamed into place
// when complete.
//
// The cache is not fsynced: nothing in it is trusted without a check. A
// cached blob is hashed again before use (a torn one is fetched again), and
// the bundle directory is rebuilt from checked blobs at every pull and
// verified in full (signature, every file) by the device's installer. A
// power cut therefore costs a download, never a wrong install; and the
// ~30 fsyncs a durable cache would cost were most of a pull's time.
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
	bundles := filepath.Join(cfg.CacheDir, "bundles")
	for _, d := range []string{bundles, filepath.Join(cfg.CacheDir, "blobs")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", 0, 0, err
		}
	}
	tmp, err := os.MkdirTemp(bundles, ".incoming-")
	if err != nil {
		return "", 0, 0, err
	}
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
		if err := writeExcl(p, data); err != nil {
			return "", 0, 0, err
		}
		done += l.Size
		if cfg.Progress != nil {
			cfg.Progress(done, total)
		}
	}
	final := filepath.Join(bundles, sha)
	if err := os.RemoveAll(final); err != nil {
		return "", 0, 0, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", 0, 0, err
	}
	return final, total, fetched, nil
}

// writeExcl writes a new file; an existing one is an error.
func writeExcl(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
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
	if err := cacheBlob(cfg, cached, b); err != nil {
		return nil, 0, err
	}
	return b, int64(len(b)), nil
}

// cacheBlob stores a checked blob under a temporary name and renames it
// over whatever was cached (a torn or corrupt copy).
func cacheBlob(cfg Config, path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Join(cfg.CacheDir, "blobs"), ".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
