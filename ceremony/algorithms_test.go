package ceremony

import (
	"testing"

	"signbox/device/esp"
	"signbox/hsm"
)

// TestAlgorithms runs key generation, the pinning policy change and a
// release for every Secure Boot scheme the policy accepts, with approvals
// from every approval key type, all on SoftHSM (boulder's P-521 lesson:
// whatever validation accepts must work end to end).
func TestAlgorithms(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA key generation on SoftHSM is slow")
	}
	for _, tc := range []struct {
		chip, alg string
	}{
		{"esp32c3", "rsa-3072"},
		{"esp32c5", "ecdsa-p384"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			f := newFixtureWith(t, tc.chip, tc.alg, map[string]hsm.Algorithm{
				"alice": hsm.RSA3072, "bob": hsm.Ed25519, "carol": hsm.ECDSAP384,
			})
			f.bootstrap()
			s, err := f.ws.PlanRelease(imagesFor(t, t.TempDir(), 64<<10, tc.chip))
			if err != nil {
				t.Fatal(err)
			}
			f.run(s, "alice", "bob")
			app := readFile2(t, s.OutputPath(OutputApp))
			img, err := esp.ParseImage(app)
			if err != nil {
				t.Fatal(err)
			}
			sec, err := img.Signatures()
			if err != nil {
				t.Fatal(err)
			}
			if len(sec.Blocks) != 3 {
				t.Fatalf("%d blocks", len(sec.Blocks))
			}
			v, err := img.Verify(mustPub(t, f, "sbv2-slot2"))
			if err != nil || v.SecureVersion() != 1 {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}
