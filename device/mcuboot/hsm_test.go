package mcuboot_test

import (
	"errors"
	"os"
	"testing"

	"signbox/device/mcuboot"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// TestSignSoftHSM signs through real SoftHSM2 keys (PKCS#11 RSA-PSS,
// ECDSA with DER re-encoding, pure EdDSA), one key per algorithm MCUboot
// verifies, and checks each image like the
// in-memory round trip: the path a ceremony takes. The package itself
// does not import hsm; it only sees a crypto.Signer.
func TestSignSoftHSM(t *testing.T) {
	tok := hsmtest.NewToken(t)
	tests := []struct {
		alg  hsm.Algorithm
		want mcuboot.Algorithm
	}{
		{hsm.RSA2048, mcuboot.RSA2048PSS},
		{hsm.RSA3072, mcuboot.RSA3072PSS},
		{hsm.ECDSAP256, mcuboot.ECDSAP256},
		{hsm.ECDSAP384, mcuboot.ECDSAP384},
		{hsm.Ed25519, mcuboot.Ed25519},
	}
	in := body(5000, 5)
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			label := "mcuboot-" + string(tt.alg)
			if _, err := tok.GenerateKey(label, tt.alg); err != nil {
				if errors.Is(err, hsm.ErrMechanismUnsupported) && os.Getenv("CI") != "true" {
					t.Skipf("token cannot generate %s: %v", tt.alg, err)
				}
				t.Fatal(err)
			}
			s, err := tok.Signer(label)
			if err != nil {
				t.Fatal(err)
			}
			opts := baseOpts()
			opts.Rand = tok.Rand()
			out, err := mcuboot.Sign(in, s, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkIndependently(t, out, in, s.Public())
			v, err := mcuboot.Verify(out, s.Public(), mcuboot.VerifyOptions{MinSecurityCounter: 5})
			if err != nil || v.Algorithm() != tt.want {
				t.Fatalf("Verify: %v, %s", err, v.Algorithm())
			}
		})
	}
}
