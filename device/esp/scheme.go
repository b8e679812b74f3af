package esp

import "crypto"

// Scheme is the signature scheme of a Secure Boot V2 block.
type Scheme int

const (
	SchemeRSA3072   Scheme = iota + 1 // block version 0x02, RSA-3072-PSS, SHA-256
	SchemeECDSAP256                   // block version 0x03, curve_id 2, SHA-256
	SchemeECDSAP384                   // block version 0x03, curve_id 3, SHA-384
	SchemeECDSAP192                   // block version 0x03, curve_id 1; parsed, never verified (no P-192 in Go)
)

func (s Scheme) String() string {
	switch s {
	case SchemeRSA3072:
		return "RSA-3072-PSS"
	case SchemeECDSAP256:
		return "ECDSA-P256"
	case SchemeECDSAP384:
		return "ECDSA-P384"
	case SchemeECDSAP192:
		return "ECDSA-P192"
	}
	return "unknown"
}

// Hash is the digest the scheme signs over the padded image: SHA-384 for
// P-384, SHA-256 otherwise.
func (s Scheme) Hash() crypto.Hash {
	if s == SchemeECDSAP384 {
		return crypto.SHA384
	}
	return crypto.SHA256
}
