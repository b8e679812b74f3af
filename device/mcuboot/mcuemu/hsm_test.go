package mcuemu

import (
	"crypto"
	"errors"
	"os"
	"testing"

	"signbox/device/mcuboot"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// TestUpgradeEveryAlgorithmSoftHSM: for each algorithm MCUboot verifies, a
// key generated in a SoftHSM token signs a factory image and an update
// (device/mcuboot.Sign over the PKCS#11 signer); the emulated bootloader,
// holding only the public key, boots the first, takes the second as a test
// upgrade, and the test re-verifies both with the standard library.
// RSA-3072 (a 1.5 s key generation in SoftHSM) is signed through SoftHSM
// and checked independently in device/mcuboot's TestSignSoftHSM; the
// bootloader's check is the same code path as RSA-2048's.
func TestUpgradeEveryAlgorithmSoftHSM(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, alg := range []hsm.Algorithm{hsm.RSA2048, hsm.ECDSAP256, hsm.ECDSAP384, hsm.Ed25519} {
		t.Run(string(alg), func(t *testing.T) {
			label := "fw-" + string(alg)
			if _, err := tok.GenerateKey(label, alg); err != nil {
				if errors.Is(err, hsm.ErrMechanismUnsupported) && os.Getenv("CI") != "true" {
					t.Skipf("token cannot generate %s: %v", alg, err)
				}
				t.Fatal(err)
			}
			s, err := tok.Signer(label)
			if err != nil {
				t.Fatal(err)
			}
			v1, v2 := signImage(t, s, 1, 1, 6000), signImage(t, s, 2, 2, 7000)
			for _, img := range [][]byte{v1, v2} {
				im, err := mcuboot.Parse(img)
				if err != nil {
					t.Fatal(err)
				}
				independentVerify(t, im.Bytes(), s.Public())
			}
			d, err := New(Config{Layout: testLayout, Mode: SwapMove, Keys: []crypto.PublicKey{s.Public()}, Factory: v1})
			if err != nil {
				t.Fatal(err)
			}
			boot := func(major uint8) *BootTrace {
				tr, err := d.Boot()
				if err != nil || tr.Version.Major != major {
					t.Fatalf("boot: %v, want %d.0.0\n%s", err, major, tr)
				}
				independentVerify(t, d.SlotImage("primary"), s.Public())
				return tr
			}
			boot(1)
			if err := d.Install(v2, false); err != nil {
				t.Fatal(err)
			}
			if tr := boot(2); tr.Swap != SwapTest {
				t.Fatalf("%s", tr)
			}
			if err := d.Confirm(); err != nil {
				t.Fatal(err)
			}
			if boot(2); d.SecurityCounter() != 2 {
				t.Fatalf("counter %d", d.SecurityCounter())
			}
		})
	}
}
