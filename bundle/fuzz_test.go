package bundle

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestManifestSeeds writes the manifest seed with -update and checks it.
func TestManifestSeeds(t *testing.T) {
	p := filepath.Join("testdata", "seeds", "manifest", "example.json")
	b, err := exampleManifest().Encode()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("%s is stale (run with -update): %v", p, err)
	}
}

// FuzzParseManifest: anything accepted is canonical, so it re-encodes to
// exactly the same bytes.
func FuzzParseManifest(f *testing.F) {
	paths, _ := filepath.Glob("testdata/seeds/manifest/*.json")
	if len(paths) == 0 {
		f.Fatal("no seeds in testdata/seeds/manifest")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		again, err := m.Encode()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted non-canonical manifest: %v", err)
		}
	})
}
