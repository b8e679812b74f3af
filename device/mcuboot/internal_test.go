package mcuboot

import (
	"errors"
	"os"
	"testing"
)

// withUnprotected returns the image file b with its unprotected area
// replaced by tlvs (the area is outside the hash, so the image hash and
// signature stay valid).
func withUnprotected(t *testing.T, b []byte, tlvs []TLV) []byte {
	img, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), b[:img.HashedLen()]...)
	return appendArea(out, TLVInfoMagic, tlvs)
}

// TestPublicKeyTLV: an image made with `imgtool --public-key-format
// full` carries the key bytes in PUBKEY (0x02) instead of KEYHASH
// (mcuboot-formats.md §2); Verify compares them with the key.
func TestPublicKeyTLV(t *testing.T) {
	b, err := os.ReadFile("testdata/vectors/ed25519.bin")
	if err != nil {
		t.Fatal(err)
	}
	img, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	hash, sig := img.Unprotected[0], img.Unprotected[2]
	pub := testPublicKey(t, "ed25519")
	kb, _ := PublicKeyBytes(pub)
	full := withUnprotected(t, b, []TLV{hash, {Type: TLVPubKey, Value: kb}, sig})
	if _, err := Verify(full, pub, VerifyOptions{}); err != nil {
		t.Fatalf("PUBKEY image: %v", err)
	}
	otherBytes, _ := PublicKeyBytes(testPublicKey(t, "ed25519-other"))
	wrong := withUnprotected(t, b, []TLV{hash, {Type: TLVPubKey, Value: otherBytes}, sig})
	_, err = Verify(wrong, pub, VerifyOptions{})
	if want := "key hash does not match the public key: PUBKEY TLV at 0x62c holds another key"; !errors.Is(err, ErrKeyHashMismatch) || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	pure := withUnprotected(t, b, append([]TLV{{Type: TLVSigPure, Value: []byte{1}}}, img.Unprotected...))
	_, err = Verify(pure, pub, VerifyOptions{})
	if want := "image feature not supported: pure signature (SIG_PURE TLV)"; !errors.Is(err, ErrUnsupported) || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}
