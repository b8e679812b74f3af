package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"

	"signbox/airgap"
	"signbox/bundle"
)

// Annotations signbox sets on a bundle artifact (for people browsing a
// registry; devices trust only TUF).
const (
	AnnotationProduct = "dev.signbox.product"
	AnnotationVersion = "dev.signbox.version"
)

// packed is a bundle laid out as an OCI artifact in memory.
type packed struct {
	store    *memory.Store
	manifest ocispec.Descriptor
	bytes    int64 // layers' total size
	layers   int
}

// pack lays out a verified bundle directory as an OCI artifact: one layer
// per file (the manifest envelope included), in the manifest's path order,
// each re-read and checked against the SHA-256 and size the verified
// manifest gives, so a file swapped after bundle.Verify is not published.
// The creation annotation is the ceremony date, so the same bundle always
// gives the same OCI manifest digest.
func pack(ctx context.Context, dir string, res *bundle.Result) (*packed, error) {
	mem := memory.New()
	p := &packed{store: mem}
	files := append([]bundle.File(nil), res.Manifest.Files...)
	env, err := os.ReadFile(filepath.Join(dir, airgap.BundleManifest))
	if err != nil {
		return nil, err
	}
	var layers []ocispec.Descriptor
	add := func(path string, data []byte) error {
		d := content.NewDescriptorFromBytes(FileMediaType, data)
		d.Annotations = map[string]string{ocispec.AnnotationTitle: path}
		p.bytes += d.Size
		p.layers++
		layers = append(layers, d)
		return mem.Push(ctx, d, bytes.NewReader(data))
	}
	for _, f := range files {
		data, err := readChecked(dir, f)
		if err != nil {
			return nil, err
		}
		if err := add(f.Path, data); err != nil {
			return nil, err
		}
	}
	if err := add(airgap.BundleManifest, env); err != nil {
		return nil, err
	}
	m := res.Manifest
	p.manifest, err = oras.PackManifest(ctx, mem, oras.PackManifestVersion1_1, ArtifactType, oras.PackManifestOptions{
		Layers: layers,
		ManifestAnnotations: map[string]string{
			ocispec.AnnotationCreated: m.CeremonyDate + "T00:00:00Z",
			AnnotationProduct:         m.Product,
			AnnotationVersion:         m.Version,
		},
	})
	return p, err
}

// readChecked reads one bundle file and checks it against the manifest.
func readChecked(dir string, f bundle.File) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(data)
	if int64(len(data)) != f.Size || hex.EncodeToString(s[:]) != f.SHA256 {
		return nil, fmt.Errorf("bundle file %s changed after it was verified", f.Path)
	}
	return data, nil
}
