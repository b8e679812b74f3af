package evidence

import (
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F, glob string) {
	paths, _ := filepath.Glob(glob)
	if len(paths) == 0 {
		f.Fatalf("no seeds match %s", glob)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParsePack: evidence.json comes from media; parsing never panics and
// whatever parses renders.
func FuzzParsePack(f *testing.F) {
	addSeeds(f, "testdata/seeds/evidence*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePack(b)
		if err != nil {
			return
		}
		_ = renderTable(p)
	})
}

// FuzzParseRollout: rollout.json comes from media.
func FuzzParseRollout(f *testing.F) {
	addSeeds(f, "testdata/seeds/rollout*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseRollout(b)
		if err != nil {
			return
		}
		if p.Kind != RolloutKind {
			t.Fatalf("accepted kind %q", p.Kind)
		}
	})
}

// FuzzParseCheckpoint: the audit checkpoint comes from media.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("signbox.example/audit\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 signbox.example/audit AAAAAQIDBAUGBwgJ\n"))
	f.Add([]byte("o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = parseCheckpoint(b)
	})
}
