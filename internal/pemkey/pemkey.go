// Package pemkey is signbox's one reader of PEM public keys: a PKIX
// SubjectPublicKeyInfo in a single "PUBLIC KEY" block (RFC 7468 §13), as
// openssl, espsecure and `signbox hsm keygen --pub` write them. Policy
// keys, release and build keys, Secure Boot keys and device keys all go
// through Parse; callers check the algorithm they can use.
package pemkey

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrNoPublicKey: the bytes hold no PEM block at all.
var ErrNoPublicKey = errors.New("not a PEM public key")

// MaxBytes bounds a PEM public key: an RSA-4096 SubjectPublicKeyInfo is
// about 800 bytes in PEM; 16 KiB leaves room for whitespace and nothing
// else.
const MaxBytes = 16 << 10

// Parse reads exactly one PEM "PUBLIC KEY" block with nothing but
// whitespace around it and no headers, and parses it as PKIX.
func Parse(data []byte) (crypto.PublicKey, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("PEM public key: %d bytes, more than %d", len(data), MaxBytes)
	}
	block, rest := pem.Decode(data)
	switch {
	case block == nil:
		return nil, ErrNoPublicKey
	case len(bytes.TrimSpace(data[:bytes.Index(data, []byte("-----BEGIN"))])) != 0:
		return nil, errors.New("text before the PEM block")
	case len(bytes.TrimSpace(rest)) != 0:
		if b2, _ := pem.Decode(rest); b2 != nil {
			return nil, errors.New("more than one PEM block")
		}
		return nil, errors.New("text after the PEM block")
	case block.Type != "PUBLIC KEY":
		return nil, fmt.Errorf("PEM type is %q, want \"PUBLIC KEY\"", block.Type)
	case len(block.Headers) != 0:
		return nil, errors.New("PEM headers are not allowed")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	return pub, nil
}

// Marshal is the inverse of Parse.
func Marshal(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
