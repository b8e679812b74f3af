package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParsePublicKeyPEM: custodian keys in a policy are PEM text. Parsing
// never panics (key types are vetted later by validate, so a parsed key
// that has no fingerprint, such as DSA, is an error there, not here).
func FuzzParsePublicKeyPEM(f *testing.F) {
	seeds, _ := filepath.Glob("../device/esp/testdata/vectors/keys/*.pub.pem")
	if len(seeds) == 0 {
		f.Fatal("no PEM seeds")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		f.Add(string(b) + "\n\n")
	}
	f.Fuzz(func(t *testing.T, s string) {
		if pub, err := ParsePublicKeyPEM(s); err == nil {
			_, _ = Fingerprint(pub)
		}
	})
}
