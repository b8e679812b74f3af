package main

import (
	"crypto"
	"fmt"
	"os"

	"signbox/airgap/envelope"
	"signbox/internal/pemkey"
)

// Public keys reach the CLI as PEM files (SubjectPublicKeyInfo, as
// openssl, espsecure and `signbox hsm keygen --pub` write them). Release
// and build keys go through envelope's strict parser (one block, a
// signature algorithm signbox verifies); ESP Secure Boot keys through
// parsePublicKeyPEM, whose callers check the scheme themselves.

// readPublicKey reads a release or build-system public key.
func readPublicKey(path string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pub, err := envelope.ParsePublicKeyPEM(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pub, nil
}

// readPublicKeys reads every --build-key file, stopping at the first
// that cannot be read.
func readPublicKeys(paths []string) ([]crypto.PublicKey, error) {
	var keys []crypto.PublicKey
	for _, p := range paths {
		k, err := readPublicKey(p)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// errNoPublicKeyPEM: the bytes hold no PEM block.
var errNoPublicKeyPEM = pemkey.ErrNoPublicKey

// parsePublicKeyPEM parses a PEM public key whose scheme the caller
// checks (internal/pemkey, signbox's one PEM reader).
func parsePublicKeyPEM(b []byte) (crypto.PublicKey, error) { return pemkey.Parse(b) }
