package envelope

import (
	"crypto"

	"signbox/internal/pemkey"
)

// ParsePublicKeyPEM reads one PEM "PUBLIC KEY" block (PKIX) and nothing
// else (internal/pemkey, signbox's one PEM reader), and checks that the
// key is one Open accepts.
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	pub, err := pemkey.Parse(data)
	if err != nil {
		return nil, err
	}
	if _, err := newAdapter(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// MarshalPublicKeyPEM is the inverse of ParsePublicKeyPEM.
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) { return pemkey.Marshal(pub) }
