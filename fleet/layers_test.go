package fleet

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"signbox/publish"
)

func layer(title string, size int64) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: publish.FileMediaType, Digest: digest.FromString(title), Size: size,
		Annotations: map[string]string{ocispec.AnnotationTitle: title}}
}

func TestCheckLayers(t *testing.T) {
	ok := func() ocispec.Manifest {
		return ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, ArtifactType: publish.ArtifactType,
			Layers: []ocispec.Descriptor{layer("images/app.bin", 100), layer("manifest.dsse.json", 10)}}
	}
	cases := []struct {
		name string
		edit func(*ocispec.Manifest)
		want string
	}{
		{"ok", func(*ocispec.Manifest) {}, ""},
		{"artifact type", func(m *ocispec.Manifest) { m.ArtifactType = "application/x" }, "artifact type"},
		{"no layers", func(m *ocispec.Manifest) { m.Layers = nil }, "0 layers"},
		{"dot dot", func(m *ocispec.Manifest) { m.Layers[0] = layer("../etc/passwd", 1) }, "not a fresh bundle path"},
		{"inner dot dot", func(m *ocispec.Manifest) { m.Layers[0] = layer("images/../../x", 1) }, "not a fresh bundle path"},
		{"absolute", func(m *ocispec.Manifest) { m.Layers[0] = layer("/etc/passwd", 1) }, "not a fresh bundle path"},
		{"hidden", func(m *ocispec.Manifest) { m.Layers[0] = layer(".x", 1) }, "not a fresh bundle path"},
		{"double slash", func(m *ocispec.Manifest) { m.Layers[0] = layer("images//app.bin", 1) }, "not a fresh bundle path"},
		{"repeated", func(m *ocispec.Manifest) { m.Layers[1] = layer("images/app.bin", 1) }, "not a fresh bundle path"},
		{"no title", func(m *ocispec.Manifest) { m.Layers[0].Annotations = nil }, "not a fresh bundle path"},
		{"media type", func(m *ocispec.Manifest) { m.Layers[0].MediaType = "application/octet-stream" }, "media type"},
		{"huge", func(m *ocispec.Manifest) { m.Layers[0].Size = 1 << 40 }, "over the limit"},
		{"negative", func(m *ocispec.Manifest) { m.Layers[0].Size = -1 }, "over the limit"},
	}
	for _, c := range cases {
		m := ok()
		c.edit(&m)
		err := checkLayers(m)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// FuzzCheckLayers: whatever manifest a registry serves, checkLayers never
// panics, and what it accepts only names clean relative paths.
func FuzzCheckLayers(f *testing.F) {
	seed, _ := json.Marshal(ocispec.Manifest{ArtifactType: publish.ArtifactType, Layers: []ocispec.Descriptor{layer("images/app.bin", 3)}})
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m ocispec.Manifest
		if json.Unmarshal(b, &m) != nil {
			return
		}
		if checkLayers(m) != nil {
			return
		}
		for _, l := range m.Layers {
			p := l.Annotations[ocispec.AnnotationTitle]
			if strings.HasPrefix(p, "/") || strings.Contains(p, "..") || strings.HasPrefix(p, ".") {
				t.Fatalf("accepted title %q", p)
			}
		}
	})
}
