package bundle

import (
	"path/filepath"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// TestReleaseKeyOnSoftHSM signs bundles with real SoftHSM release-bundle
// keys of each supported kind and verifies them with the public half only.
func TestReleaseKeyOnSoftHSM(t *testing.T) {
	tok := hsmtest.NewToken(t)
	c := defaultRelease().contents(t)
	for _, alg := range []hsm.Algorithm{hsm.ECDSAP256, hsm.ECDSAP384, hsm.RSA3072} {
		t.Run(string(alg), func(t *testing.T) {
			info, err := tok.GenerateKey("release-bundle-"+string(alg), alg)
			if err != nil {
				t.Fatal(err)
			}
			s, err := tok.Signer(info.Label)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Build(c, s)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "bundle.tar")
			if err := b.WriteTar(p); err != nil {
				t.Fatal(err)
			}
			res, err := Verify(p, info.Public, VerifyOptions{Product: "infusion-pump"})
			if err != nil {
				t.Fatal(err)
			}
			if res.ReleaseKeyID != info.Fingerprint {
				t.Fatalf("release key ID %s, HSM fingerprint %s", res.ReleaseKeyID, info.Fingerprint)
			}
		})
	}
}
