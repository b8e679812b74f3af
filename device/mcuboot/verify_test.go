package mcuboot_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"

	"signbox/device/mcuboot"
)

// TestVerifyRefusals: each failed check gives its exact error. Offsets
// are those of smallImage (see there).
func TestVerifyRefusals(t *testing.T) {
	base := smallImage(t)
	ed := loadKey(t, "ed25519").Public()
	other := loadKey(t, "ed25519-other").Public()
	tampered := slices.Clone(base)
	tampered[0x30] ^= 1
	tamperedHash := sha256.Sum256(tampered[:0xa0])
	otherHash := sha256.Sum256(keyBytes(t, other))
	noCounterOpts := baseOpts()
	noCounterOpts.SecurityCounter = nil
	noCounter := sign(t, "ed25519", body(100, 2), noCounterOpts)
	p384 := sign(t, "p384", body(100, 2), baseOpts())
	p256 := sign(t, "p256", body(100, 2), baseOpts())
	p256Sig := len(p256) - len(p256TLVSig(t, p256)) - 4 // offset of the ECDSA_SIG TLV
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file []byte
		pub  crypto.PublicKey
		opts mcuboot.VerifyOptions
		is   error
		want string
	}{
		{"wrong hash", tampered, ed, mcuboot.VerifyOptions{}, mcuboot.ErrHashMismatch,
			fmt.Sprintf("image hash mismatch: SHA256 TLV at 0xa4 has %x, image hashes to %x", base[0xa8:0xc8], tamperedHash)},
		{"wrong key hash", base, other, mcuboot.VerifyOptions{}, mcuboot.ErrKeyHashMismatch,
			fmt.Sprintf("key hash does not match the public key: KEYHASH TLV at 0xc8 has %x, key hashes to %x", base[0xcc:0xec], otherHash)},
		{"bad signature", flip(base, 0xf0), ed, mcuboot.VerifyOptions{}, mcuboot.ErrBadSignature,
			"signature does not verify: ED25519 TLV at 0xec (Ed25519)"},
		{"counter below floor", base, ed, mcuboot.VerifyOptions{MinSecurityCounter: 6}, mcuboot.ErrSecurityCounterLow,
			"security counter below the floor: image has 5, device requires at least 6"},
		{"no counter", noCounter, ed, mcuboot.VerifyOptions{}, mcuboot.ErrNoSecurityCounter,
			"image has no security counter"},
		{"contradicting options", base, ed, mcuboot.VerifyOptions{MinSecurityCounter: 3, AllowNoSecurityCounter: true}, mcuboot.ErrBadOptions,
			"bad options: AllowNoSecurityCounter with MinSecurityCounter 3"},
		{"hash algorithm", p384, loadKey(t, "p256").Public(), mcuboot.VerifyOptions{}, mcuboot.ErrHashAlgorithm,
			"image hash algorithm does not match the key type: image has SHA384, ECDSA-P256 keys sign SHA256"},
		{"no signature for the key type", withType(p256, p256Sig, mcuboot.TLVECDSA224), loadKey(t, "p256").Public(), mcuboot.VerifyOptions{}, mcuboot.ErrNoSignature,
			"image has no signature TLV for the key type: want ECDSA_SIG for ECDSA-P256, image has ECDSA224"},
		{"no key hash", withType(base, 0xc8, 0xa0), ed, mcuboot.VerifyOptions{}, mcuboot.ErrNoKeyHash,
			"image has no key hash or public key TLV"},
		{"no hash", withType(base, 0xa4, 0xa1), ed, mcuboot.VerifyOptions{}, mcuboot.ErrNoHash,
			"image has no hash TLV"},
		{"encrypted", withFlags(base, 0x4), ed, mcuboot.VerifyOptions{}, mcuboot.ErrUnsupported,
			"image feature not supported: encrypted image (ENCRYPTED_AES128): its hash covers the plaintext"},
		{"RSA-1024 key", base, &weak.PublicKey, mcuboot.VerifyOptions{}, mcuboot.ErrUnsupportedKey,
			"unsupported key type: RSA-1024 (MCUboot verifies RSA-2048 and RSA-3072)"},
		{"RSA key on an Ed25519 image", base, loadKey(t, "rsa2048").Public(), mcuboot.VerifyOptions{}, mcuboot.ErrKeyHashMismatch, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := mcuboot.Verify(tt.file, tt.pub, tt.opts)
			if !errors.Is(err, tt.is) || v.OK() || (tt.want != "" && err.Error() != tt.want) {
				t.Fatalf("got  %v\nwant %s (%v)", err, tt.want, tt.is)
			}
		})
	}
}

// TestVerifyCounterFloor: the floor is inclusive, as bootutil's is.
func TestVerifyCounterFloor(t *testing.T) {
	base := smallImage(t)
	ed := loadKey(t, "ed25519").Public()
	for _, floor := range []uint32{0, 4, 5} {
		if _, err := mcuboot.Verify(base, ed, mcuboot.VerifyOptions{MinSecurityCounter: floor}); err != nil {
			t.Errorf("floor %d: %v", floor, err)
		}
	}
	opts := baseOpts()
	opts.SecurityCounter = nil
	v, err := mcuboot.Verify(sign(t, "ed25519", body(10, 1), opts), ed, mcuboot.VerifyOptions{AllowNoSecurityCounter: true})
	if _, has := v.SecurityCounter(); err != nil || has {
		t.Fatalf("no counter allowed: %v, has %v", err, has)
	}
}

// TestVerifyUnprotectedEdits: the unprotected area is outside the hash,
// but a second copy of a TLV or a moved counter is refused by Parse.
func TestVerifyUnprotectedEdits(t *testing.T) {
	base := smallImage(t)
	_, err := mcuboot.Verify(withType(base, 0xc8, mcuboot.TLVSecCnt), loadKey(t, "ed25519").Public(), mcuboot.VerifyOptions{})
	if !errors.Is(err, mcuboot.ErrMisplacedTLV) {
		t.Fatalf("SEC_CNT in the unprotected area: %v", err)
	}
}

func flip(b []byte, off int) []byte {
	c := slices.Clone(b)
	c[off] ^= 1
	return c
}

func withType(b []byte, off int, typ mcuboot.TLVType) []byte {
	return put16(off, uint16(typ))(slices.Clone(b))
}

func withFlags(b []byte, f uint32) []byte { return put32(0x10, f)(slices.Clone(b)) }

// p256TLVSig returns the value of the last TLV (the signature) of img.
func p256TLVSig(t *testing.T, img []byte) []byte {
	p, err := mcuboot.Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	return p.Unprotected[len(p.Unprotected)-1].Value
}
