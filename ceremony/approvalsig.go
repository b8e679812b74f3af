package ceremony

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
)

// Approval signatures are over the DSSE pre-authentication encoding of the
// plan. The hash follows the key: SHA-256 for P-256 and RSA (PSS, salt =
// hash length, because SoftHSM refuses PSSSaltLengthAuto), SHA-384 for
// P-384, none for Ed25519 (pure EdDSA signs the message itself).

func signApproval(s crypto.Signer, msg []byte) ([]byte, error) {
	switch k := s.Public().(type) {
	case *ecdsa.PublicKey:
		h, digest := hashFor(k)
		return s.Sign(rand.Reader, digest(msg), h)
	case *rsa.PublicKey:
		d := sha256.Sum256(msg)
		return s.Sign(rand.Reader, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	case ed25519.PublicKey:
		return s.Sign(rand.Reader, msg, crypto.Hash(0))
	default:
		return nil, fmt.Errorf("unsupported approval key %T", k)
	}
}

func verifyApproval(pub crypto.PublicKey, msg, sig []byte) error {
	ok := false
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		_, digest := hashFor(k)
		ok = ecdsa.VerifyASN1(k, digest(msg), sig)
	case *rsa.PublicKey:
		d := sha256.Sum256(msg)
		ok = rsa.VerifyPSS(k, crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, msg, sig)
	default:
		return fmt.Errorf("unsupported approval key %T", pub)
	}
	if !ok {
		return errors.New("signature does not verify")
	}
	return nil
}

func hashFor(k *ecdsa.PublicKey) (crypto.Hash, func([]byte) []byte) {
	if k.Curve == elliptic.P384() {
		return crypto.SHA384, func(b []byte) []byte { d := sha512.Sum384(b); return d[:] }
	}
	return crypto.SHA256, func(b []byte) []byte { d := sha256.Sum256(b); return d[:] }
}
