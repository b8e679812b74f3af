package hsm

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
)

// KeyInfo describes a key on the token.
type KeyInfo struct {
	Label       string
	ID          []byte
	Algorithm   Algorithm
	Public      crypto.PublicKey // nil for HMAC keys
	Fingerprint string           // Fingerprint(Public); "" for HMAC keys
	Extractable bool             // true only for keys generated Wrappable
	// Derive marks a key-agreement key (GenerateAgreementKey): it derives
	// shared secrets and never signs.
	Derive bool
	// Unusable says why signbox cannot use a key it found (a key type it
	// does not support, no public key object); "" for usable keys.
	Unusable string
}

// IDHex is the CKA_ID in lowercase hex, as listings show it.
func (k KeyInfo) IDHex() string { return hex.EncodeToString(k.ID) }

// Fingerprint is "sha256:" + lowercase hex SHA-256 of the PKIX
// SubjectPublicKeyInfo DER of pub: the same value `openssl pkey -pubin
// -outform DER | sha256sum` gives, so custodians can check it independently.
func Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
