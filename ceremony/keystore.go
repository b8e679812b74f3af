package ceremony

import (
	"crypto"
	"io"

	"signbox/policy"
)

// KeyStore is the appliance HSM as a ceremony needs it. cmd/signbox adapts
// an hsm.Token; tests use real SoftHSM tokens through the same adapter.
type KeyStore interface {
	// Signer returns the key labelled label. Its Public() is checked
	// against the policy's pin before it signs anything.
	Signer(label string) (crypto.Signer, error)
	// GenerateKey creates a key inside the HSM and returns its public half
	// (nil for secret keys). It must refuse a label that already exists.
	GenerateKey(label string, alg policy.Algorithm) (crypto.PublicKey, error)
	// Rand is the HSM's random number generator.
	Rand() io.Reader
}

// pinnedSigner opens label and checks its public half against want.
func pinnedSigner(ks KeyStore, k KeyRef) (crypto.Signer, error) {
	s, err := ks.Signer(k.Label)
	if err != nil {
		return nil, err
	}
	fp, err := policy.Fingerprint(s.Public())
	if err != nil {
		return nil, err
	}
	if fp != k.Fingerprint {
		return nil, &KeyMismatchError{Label: k.Label, Want: k.Fingerprint, Got: fp}
	}
	return s, nil
}

// KeyMismatchError says which HSM key differs from its pin.
type KeyMismatchError struct {
	Label, Want, Got string
}

func (e *KeyMismatchError) Error() string {
	return "HSM key " + e.Label + " is " + e.Got + ", policy pins " + e.Want
}

func (e *KeyMismatchError) Unwrap() error { return ErrKeyMismatch }
