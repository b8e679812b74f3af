package policy

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
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
// but whitespace around it.
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	block, rest := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("not a PEM public key")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("text after the PEM block")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("PEM type is %q, want \"PUBLIC KEY\"", block.Type)
	}
	if len(block.Headers) != 0 {
		return nil, errors.New("PEM headers are not allowed")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	return pub, nil
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
