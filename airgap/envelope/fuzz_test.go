package envelope

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/seeds")

// fuzzKey is fixed per process; seeds signed by another key still
// exercise every parsing path before the signature check.
var fuzzKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

func TestEnvelopeSeeds(t *testing.T) {
	if *update {
		env, err := Sign(fuzzKey, "application/x-test", []byte(`{"kind":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "seeds", "signed.json"), env, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if m, _ := filepath.Glob("testdata/seeds/*.json"); len(m) == 0 {
		t.Fatal("no envelope seeds (run with -update)")
	}
}

// FuzzOpen: arbitrary envelopes never panic and never verify under a key
// that did not sign them.
func FuzzOpen(f *testing.F) {
	paths, _ := filepath.Glob("testdata/seeds/*.json")
	if len(paths) == 0 {
		f.Fatal("no seeds in testdata/seeds")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, _, err := Open(b, "application/x-test", fuzzKey.Public()); err == nil {
			t.Fatal("an envelope not signed by this process's key verified")
		}
	})
}
