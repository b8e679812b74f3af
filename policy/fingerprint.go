package policy

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"signbox/internal/pemkey"
)

// Fingerprint returns "sha256:" + lowercase hex SHA-256 of the key's PKIX
// SubjectPublicKeyInfo DER; the same string hsm.Fingerprint returns.
func Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// ParsePublicKeyPEM parses exactly one PEM "PUBLIC KEY" block with nothing
// but whitespace around it (internal/pemkey, signbox's one PEM reader).
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	return pemkey.Parse([]byte(s))
}

// checkFingerprintSyntax accepts only "sha256:" + 64 lowercase hex digits.
func checkFingerprintSyntax(s string) error {
	hexPart, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(hexPart) != 64 || strings.ToLower(hexPart) != hexPart {
		return fmt.Errorf("%q is not sha256:<64 lowercase hex digits>", s)
	}
	if _, err := hex.DecodeString(hexPart); err != nil {
		return fmt.Errorf("%q is not sha256:<64 lowercase hex digits>", s)
	}
	return nil
}
