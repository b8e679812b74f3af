package custody

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/airgap/envelope"
)

var update = flag.Bool("update", false, "rewrite testdata/seeds")

// fuzzSigner is a fixed, test-only appliance key (d = SHA-256 of a label),
// so the signed seeds in testdata verify in every run.
func fuzzSigner(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	d := sha256.Sum256([]byte("signbox custody fuzz appliance key (test only)"))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fuzzToken is a fixed token that holds no share in any seed.
func fuzzToken(t testing.TB) softKey {
	t.Helper()
	d := sha256.Sum256([]byte("signbox custody fuzz token (test only)"))
	k, err := ecdh.P256().NewPrivateKey(d[:])
	if err != nil {
		t.Fatal(err)
	}
	return softKey{k}
}

func seedPaths(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no seeds in testdata/seeds (run go test ./custody -run TestFuzzSeeds -update): %v", err)
	}
	return paths
}

// TestFuzzSeeds keeps the seed corpus present and valid: each envelope
// seed opens under fuzzSigner and each payload seed parses.
func TestFuzzSeeds(t *testing.T) {
	if *update {
		writeSeeds(t)
	}
	for _, p := range seedPaths(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(p), "payload-") {
			_, err = parseManifest(b)
		} else {
			_, err = OpenSet(b, fuzzSigner(t).Public())
		}
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func writeSeeds(t *testing.T) {
	for _, tc := range []struct {
		name string
		m, n int
	}{{"2of3", 2, 3}, {"3of5", 3, 5}} {
		f := newFixture(t, tc.m, tc.n)
		env, err := Split(rand.Reader, f.secret, f.hdr, f.holders, fuzzSigner(t))
		if err != nil {
			t.Fatal(err)
		}
		writeSeed(t, tc.name+".json", env)
		payload, _, err := envelope.Open(env, PayloadType, fuzzSigner(t).Public())
		if err != nil {
			t.Fatal(err)
		}
		writeSeed(t, "payload-"+tc.name+".json", payload)
	}
}

func writeSeed(t *testing.T, name string, b []byte) {
	if err := os.WriteFile(filepath.Join("testdata", "seeds", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzOpenSet: no input panics OpenSet, the manifest parser or Unseal;
// whatever parses is in canonical form (parse, marshal, same bytes); and a
// token holding no share never opens one.
func FuzzOpenSet(f *testing.F) {
	for _, p := range seedPaths(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	signer, token := fuzzSigner(f), fuzzToken(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := OpenSet(b, signer.Public()); err == nil {
			payload, _, err := envelope.Open(b, PayloadType, signer.Public())
			if err != nil {
				t.Fatalf("OpenSet accepted what envelope.Open refuses: %v", err)
			}
			checkParsed(t, s, payload, token)
		}
		if s, err := parseManifest(b); err == nil {
			checkParsed(t, s, b, token)
		}
	})
}

func checkParsed(t *testing.T, s *Set, payload []byte, token softKey) {
	out, err := s.marshal()
	if err != nil || !bytes.Equal(out, payload) {
		t.Fatalf("parsed manifest does not marshal back to its bytes: %v\n%s\n%s", err, payload, out)
	}
	for _, name := range s.Holders() {
		if sh, err := s.Unseal(name, token); err == nil {
			sh.Wipe()
			t.Fatalf("a token holding no share opened the share of %s", name)
		}
	}
}
