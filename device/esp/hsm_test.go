package esp_test

import (
	"crypto"
	"fmt"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// TestSignSoftHSM signs through real SoftHSM2 keys (PKCS#11 RSA-PSS and
// ECDSA) and checks the result field by field like the stdlib-key test:
// this is the path a ceremony takes.
func TestSignSoftHSM(t *testing.T) {
	tok := hsmtest.NewToken(t)
	tests := []struct {
		name string
		chip esp.Chip
		algs []hsm.Algorithm
	}{
		{"rsa3072 x3 on c3", esp.ESP32C3, []hsm.Algorithm{hsm.RSA3072, hsm.RSA3072, hsm.RSA3072}},
		{"p256 on c6", esp.ESP32C6, []hsm.Algorithm{hsm.ECDSAP256}},
		{"p384 x2 on p4", esp.ESP32P4, []hsm.Algorithm{hsm.ECDSAP384, hsm.ECDSAP384}},
	}
	n := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var signers []crypto.Signer
			var pubs []crypto.PublicKey
			var digests [3][32]byte
			for i, alg := range tt.algs {
				n++
				label := fmt.Sprintf("esp-%s-%d", alg, n)
				if _, err := tok.GenerateKey(label, alg); err != nil {
					t.Fatal(err)
				}
				s, err := tok.Signer(label)
				if err != nil {
					t.Fatal(err)
				}
				signers = append(signers, s)
				pubs = append(pubs, s.Public())
				if digests[i], err = esp.KeyDigest(s.Public()); err != nil {
					t.Fatal(err)
				}
			}
			in := must(esptest.Build(esptest.Options{Chip: tt.chip, Size: 50_000, SecureVersion: 9}))
			out, err := esp.Sign(in, signers, tok.Rand())
			if err != nil {
				t.Fatal(err)
			}
			checkSigned(t, in, out, pubs)
			img, err := esp.ParseImage(out)
			if err != nil {
				t.Fatal(err)
			}
			sec, err := img.Signatures()
			if err != nil || len(sec.Blocks) != len(pubs) {
				t.Fatalf("sector: %v", err)
			}
			for i, b := range sec.Blocks {
				if b.Err != nil || b.KeyDigest != digests[i] {
					t.Errorf("block %d: %v, key digest %x want %x", i, b.Err, b.KeyDigest, digests[i])
				}
			}
			// Revoke slot 0: a later block must carry the image.
			last := len(pubs) - 1
			v, err := esp.VerifyDigests(out, digests, [3]bool{last > 0, false, false})
			if err != nil || v.Block() != min(1, last) || v.Slot() != min(1, last) {
				t.Errorf("VerifyDigests: block %d slot %d, %v", v.Block(), v.Slot(), err)
			}
		})
	}
}

// BenchmarkSign4MiBSoftHSM signs a 4 MiB app with an RSA-3072 key inside
// SoftHSM2: the ceremony's signing path.
func BenchmarkSign4MiBSoftHSM(b *testing.B) {
	tok := hsmtest.NewToken(b)
	if _, err := tok.GenerateKey("bench-rsa", hsm.RSA3072); err != nil {
		b.Fatal(err)
	}
	s, err := tok.Signer("bench-rsa")
	if err != nil {
		b.Fatal(err)
	}
	img := esptest.App(benchSize, 1)
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		if _, err := esp.Sign(img, []crypto.Signer{s}, tok.Rand()); err != nil {
			b.Fatal(err)
		}
	}
}
