package esp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
)

// KeyDigest is the Secure Boot V2 public-key digest of pub: SHA-256 over
// the key fields exactly as a signature block stores them (for RSA n, e,
// rinv, mdash; for ECDSA curve_id and X||Y), always SHA-256 even for
// P-384. It is what `espsecure digest_sbv2_public_key` prints and what
// goes into an eFuse key digest slot.
func KeyDigest(pub crypto.PublicKey) ([32]byte, error) {
	fields, _, err := keyFields(pub)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256Sum(fields), nil
}

// keyFields returns the stored key fields and the scheme for pub.
func keyFields(pub crypto.PublicKey) ([]byte, Scheme, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		f, err := rsaKeyFields(k)
		return f, SchemeRSA3072, err
	case *ecdsa.PublicKey:
		l, f, err := ecKeyFields(k)
		return f, l.scheme, err
	}
	return nil, 0, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// SchemeOf returns the Secure Boot V2 scheme for a public key, or
// ErrUnsupportedKey.
func SchemeOf(pub crypto.PublicKey) (Scheme, error) {
	_, s, err := keyFields(pub)
	return s, err
}
