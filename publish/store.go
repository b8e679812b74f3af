package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
)

// Media and artifact types signbox puts into a registry.
const (
	ArtifactType     = "application/vnd.signbox.release-bundle.v1"
	FileMediaType    = "application/vnd.signbox.release-bundle.file.v1"
	TUFArtifactType  = "application/vnd.signbox.tuf-metadata.v1"
	TUFLayerType     = "application/vnd.tuf.metadata.v1+json"
	TimestampTag     = "tuf.timestamp"
	layoutScheme     = "oci-layout:"
	manifestMaxLimit = MaxManifestBytes
)

// Open returns the target a destination string names: "oci-layout:PATH"
// (an OCI image layout directory, created if missing) or
// "https://HOST[:PORT]/REPO" ("http://" only for 127.0.0.1 and
// localhost, for tests and a registry on the same machine).
func Open(ctx context.Context, dest string) (oras.Target, error) {
	switch {
	case strings.HasPrefix(dest, layoutScheme):
		p := strings.TrimPrefix(dest, layoutScheme)
		if p == "" {
			return nil, errors.New("oci-layout: needs a directory path")
		}
		return oci.NewWithContext(ctx, p)
	case strings.HasPrefix(dest, "https://"), strings.HasPrefix(dest, "http://"):
		plain := strings.HasPrefix(dest, "http://")
		ref := strings.TrimPrefix(strings.TrimPrefix(dest, "https://"), "http://")
		repo, err := remote.NewRepository(ref)
		if err != nil {
			return nil, fmt.Errorf("registry %q: %w", dest, err)
		}
		if plain {
			host := repo.Reference.Host()
			if !strings.HasPrefix(host, "127.0.0.1:") && !strings.HasPrefix(host, "localhost:") {
				return nil, fmt.Errorf("registry %q: plain http only to 127.0.0.1 or localhost; use https://", dest)
			}
			repo.PlainHTTP = true
		}
		return repo, nil
	}
	return nil, fmt.Errorf("destination %q: want oci-layout:PATH or https://HOST/REPO", dest)
}

// fetchLimited fetches desc after checking its declared size against max
// (an endless-data defence: nothing larger is read); content.FetchAll
// checks the size and digest of what arrives.
func fetchLimited(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor, max int64, what string) ([]byte, error) {
	if desc.Size < 0 || desc.Size > max {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d allowed", what, desc.Size, max)
	}
	b, err := content.FetchAll(ctx, f, desc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return b, nil
}

// FetchManifest resolves nothing: it fetches the manifest desc names and
// parses it, refusing one that is not a single OCI image manifest.
func FetchManifest(ctx context.Context, src content.Fetcher, desc ocispec.Descriptor) (ocispec.Manifest, []byte, error) {
	var m ocispec.Manifest
	if desc.MediaType != ocispec.MediaTypeImageManifest {
		return m, nil, fmt.Errorf("manifest %s: media type %q, want %q", desc.Digest, desc.MediaType, ocispec.MediaTypeImageManifest)
	}
	raw, err := fetchLimited(ctx, src, desc, manifestMaxLimit, "manifest "+desc.Digest.String())
	if err != nil {
		return m, nil, err
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	if m.MediaType != ocispec.MediaTypeImageManifest {
		return m, nil, fmt.Errorf("manifest %s: mediaType %q inside", desc.Digest, m.MediaType)
	}
	return m, raw, nil
}

// metaTag is the tag of one TUF metadata version.
func metaTag(role string, version int64) string {
	return fmt.Sprintf("tuf.%d.%s", version, role)
}

// pushMeta stores one TUF metadata file as a one-layer artifact under tag.
func pushMeta(ctx context.Context, dst oras.Target, tag string, data []byte) error {
	mem := memory.New()
	layer := content.NewDescriptorFromBytes(TUFLayerType, data)
	layer.Annotations = map[string]string{ocispec.AnnotationTitle: strings.TrimPrefix(tag, "tuf.") + ".json"}
	if err := mem.Push(ctx, layer, bytes.NewReader(data)); err != nil {
		return err
	}
	desc, err := oras.PackManifest(ctx, mem, oras.PackManifestVersion1_1, TUFArtifactType, oras.PackManifestOptions{
		Layers: []ocispec.Descriptor{layer},
		// A fixed creation time keeps the manifest a function of the
		// metadata alone, so pushing the same metadata twice is a no-op.
		ManifestAnnotations: map[string]string{ocispec.AnnotationCreated: "1970-01-01T00:00:00Z"},
	})
	if err != nil {
		return err
	}
	if err := mem.Tag(ctx, desc, tag); err != nil {
		return err
	}
	if _, err := oras.Copy(ctx, mem, tag, dst, tag, oras.DefaultCopyOptions); err != nil {
		return fmt.Errorf("push %s: %w", tag, err)
	}
	return nil
}

// ErrNoMetadata is returned when a TUF metadata tag is absent.
var ErrNoMetadata = errors.New("no such TUF metadata")

// FetchMeta reads the TUF metadata tagged tag, at most max bytes.
func FetchMeta(ctx context.Context, src oras.ReadOnlyTarget, tag string, max int64) ([]byte, error) {
	desc, err := src.Resolve(ctx, tag)
	if errors.Is(err, errdef.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoMetadata, tag)
	}
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", tag, err)
	}
	m, _, err := FetchManifest(ctx, src, desc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tag, err)
	}
	if m.ArtifactType != TUFArtifactType || len(m.Layers) != 1 || m.Layers[0].MediaType != TUFLayerType {
		return nil, fmt.Errorf("%s: not a signbox TUF metadata artifact", tag)
	}
	return fetchLimited(ctx, src, m.Layers[0], max, tag)
}

// BundleTag is the tag a bundle is pushed under, for people: the product
// and version with characters a tag cannot hold replaced by "_". Devices
// find bundles through TUF, never by tag.
func BundleTag(product, version string) string {
	var b strings.Builder
	for i, r := range product + "-" + version {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' ||
			(i > 0 && (r == '.' || r == '-'))
		if !ok {
			r = '_'
		}
		b.WriteRune(r)
		if b.Len() == 128 {
			break
		}
	}
	return b.String()
}
