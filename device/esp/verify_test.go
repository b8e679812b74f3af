package esp_test

import (
	"crypto"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

func keyDigest(t *testing.T, name string) [32]byte {
	d, err := esp.KeyDigest(vecPub(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestVerifyDigests models the bootloader: eFuse digests, revoked slots,
// chip rules.
func TestVerifyDigests(t *testing.T) {
	a, b, c := keyDigest(t, "rsa3072-a"), keyDigest(t, "rsa3072-b"), keyDigest(t, "rsa3072-c")
	p256, p384 := keyDigest(t, "p256"), keyDigest(t, "p384")
	rsa3 := readFile(t, vecDir+"/app-sv3.rsa3.signed.bin")
	rsa1 := readFile(t, vecDir+"/app-sv3.rsa.signed.bin")
	ec256 := readFile(t, vecDir+"/app-sv4-c6.p256.signed.bin")
	ec384 := readFile(t, vecDir+"/app-sv4-c6.p384.signed.bin")
	var c2Digests [3][32]byte
	copy(c2Digests[0][:16], p256[:16]) // ESP32-C2 burns only 128 bits
	c2 := signWith(t, esptest.Options{Chip: esp.ESP32C2, Size: 5000}, "p256")
	tests := []struct {
		name    string
		file    []byte
		digests [3][32]byte
		revoked [3]bool
		opts    []esp.VerifyOption
		block   int
		slot    int
		want    error
	}{
		{"one key", rsa1, [3][32]byte{a}, [3]bool{}, nil, 0, 0, nil},
		{"digest in slot 2", rsa1, [3][32]byte{2: a}, [3]bool{}, nil, 0, 2, nil},
		{"three blocks, a revoked", rsa3, [3][32]byte{a, b, c}, [3]bool{true}, nil, 1, 1, nil},
		{"three blocks, a and b revoked", rsa3, [3][32]byte{a, b, c}, [3]bool{true, true}, nil, 2, 2, nil},
		{"all revoked", rsa3, [3][32]byte{a, b, c}, [3]bool{true, true, true}, nil, 0, 0, esp.ErrRevokedKey},
		{"only key revoked", rsa1, [3][32]byte{a, b}, [3]bool{true}, nil, 0, 0, esp.ErrRevokedKey},
		{"unknown key", rsa1, [3][32]byte{b, c}, [3]bool{}, nil, 0, 0, esp.ErrUntrustedKey},
		{"no digests", rsa1, [3][32]byte{}, [3]bool{}, nil, 0, 0, esp.ErrUntrustedKey},
		{"p256 on c6", ec256, [3][32]byte{p256}, [3]bool{}, nil, 0, 0, nil},
		{"scheme required", ec256, [3][32]byte{p256}, [3]bool{}, []esp.VerifyOption{esp.RequireScheme(esp.SchemeRSA3072)}, 0, 0, esp.ErrChipScheme},
		{"p384 on c6", ec384, [3][32]byte{p384}, [3]bool{}, nil, 0, 0, esp.ErrChipScheme},
		{"c2 128-bit digest", c2, c2Digests, [3]bool{}, nil, 0, 0, nil},
		{"bad crc", readFile(t, vecDir+"/app-sv3.rsa.bad-crc.bin"), [3][32]byte{a}, [3]bool{}, nil, 0, 0, esp.ErrBlockCRC},
		{"unsigned", readFile(t, vecDir+"/app-sv3.bin"), [3][32]byte{a}, [3]bool{}, nil, 0, 0, esp.ErrNotSigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := esp.VerifyDigests(tt.file, tt.digests, tt.revoked, tt.opts...)
			if tt.want != nil {
				if !errors.Is(err, tt.want) || v.OK() {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil || !v.OK() || v.Block() != tt.block || v.Slot() != tt.slot {
				t.Fatalf("block %d slot %d: %v", v.Block(), v.Slot(), err)
			}
		})
	}
}

// TestVerifyDigestsESP32OneBlock: ESP32 reads only block 0, so a good
// key in block 1 does not help.
func TestVerifyDigestsESP32OneBlock(t *testing.T) {
	in := must(esptest.Build(esptest.Options{UseESP32: true, Size: 5000}))
	out, err := esp.Sign(in, []crypto.Signer{vecPriv(t, "rsa3072-a")}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// Sign refuses a second block on ESP32; splice one in by hand via a C3 signing.
	c3 := signWith(t, esptest.Options{Size: 5000}, "rsa3072-a", "rsa3072-b")
	copy(out[len(out)-4096+1216:], c3[len(c3)-4096+1216:len(c3)-4096+2432])
	_, err = esp.VerifyDigests(out, [3][32]byte{keyDigest(t, "rsa3072-b")}, [3]bool{})
	var ve *esp.VerifyError
	if !errors.As(err, &ve) || len(ve.Blocks) != 2 || !strings.Contains(ve.Blocks[1].Error(), "reads only 1 block") {
		t.Fatalf("got %v", err)
	}
}

func signWith(t *testing.T, o esptest.Options, keys ...string) []byte {
	t.Helper()
	var signers []crypto.Signer
	for _, k := range keys {
		signers = append(signers, vecPriv(t, k))
	}
	out, err := esp.Sign(must(esptest.Build(o)), signers, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyNeedsKeys(t *testing.T) {
	if _, err := esp.Verify(readFile(t, vecDir+"/app-sv3.rsa.signed.bin")); err == nil {
		t.Fatal("no keys accepted")
	}
	var zero esp.Verified
	if zero.OK() {
		t.Fatal("zero Verified is OK")
	}
}
