package hsm

import (
	"fmt"
)

// Algorithm names a key type signbox generates and uses.
type Algorithm string

const (
	RSA3072    Algorithm = "rsa-3072"
	RSA2048    Algorithm = "rsa-2048" // MCUboot RSA2048_PSS images (device/mcuboot); ESP Secure Boot V2 needs 3072
	ECDSAP256  Algorithm = "ecdsa-p256"
	ECDSAP384  Algorithm = "ecdsa-p384"
	Ed25519    Algorithm = "ed25519"     // C2SP signed-note checkpoints; raw CKM_EDDSA
	HMACSHA256 Algorithm = "hmac-sha256" // generic-secret key, 256 bits
)

// Algorithms lists every supported algorithm in a stable order.
var Algorithms = []Algorithm{RSA3072, ECDSAP256, ECDSAP384, Ed25519, HMACSHA256, RSA2048}

// ParseAlgorithm accepts exactly the names in Algorithms.
func ParseAlgorithm(s string) (Algorithm, error) {
	for _, a := range Algorithms {
		if string(a) == s {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown algorithm %q (want one of %v)", s, Algorithms)
}

// rsaBits is the modulus size of an RSA algorithm, 0 for the others.
func (a Algorithm) rsaBits() int {
	switch a {
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	}
	return 0
}
