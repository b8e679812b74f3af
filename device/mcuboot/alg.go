package mcuboot

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // registers crypto.SHA256 for Hash.New
	_ "crypto/sha512" // registers crypto.SHA384 and crypto.SHA512
	"crypto/x509"
	"fmt"
)

// Algorithm is a signature algorithm MCUboot verifies.
type Algorithm int

const (
	RSA2048PSS Algorithm = iota + 1 // TLV 0x20, RSASSA-PSS SHA-256, MGF1-SHA-256, salt 32
	RSA3072PSS                      // TLV 0x23, same parameters
	ECDSAP256                       // TLV 0x22, DER, over the SHA-256 digest
	ECDSAP384                       // TLV 0x22, DER, over the SHA-384 digest
	Ed25519                         // TLV 0x24, RFC 8032 Ed25519 whose message is the digest
)

func (a Algorithm) String() string {
	switch a {
	case RSA2048PSS:
		return "RSA-2048-PSS"
	case RSA3072PSS:
		return "RSA-3072-PSS"
	case ECDSAP256:
		return "ECDSA-P256"
	case ECDSAP384:
		return "ECDSA-P384"
	case Ed25519:
		return "Ed25519"
	}
	return "unknown"
}

// SigTLV is the TLV type that carries the algorithm's signature
// (mcuboot-formats.md §2 "Signature encodings"; imgtool keys/*.py sig_tlv).
func (a Algorithm) SigTLV() TLVType {
	switch a {
	case RSA2048PSS:
		return TLVRSA2048PSS
	case RSA3072PSS:
		return TLVRSA3072PSS
	case ECDSAP256, ECDSAP384:
		return TLVECDSASig
	case Ed25519:
		return TLVEd25519
	}
	return 0
}

// Hash is the image hash Sign uses with the algorithm, imgtool's
// `--sha auto`: SHA-384 for P-384, SHA-256 for the rest (image.py
// ALLOWED_KEY_SHA, first entry).
func (a Algorithm) Hash() crypto.Hash {
	if a == ECDSAP384 {
		return crypto.SHA384
	}
	return crypto.SHA256
}

// hashes are the image hashes imgtool signs with for the algorithm
// (image.py ALLOWED_KEY_SHA for private keys): Ed25519 may also use
// SHA-512 (`--sha 512`, not pure).
func (a Algorithm) hashes() []crypto.Hash {
	if a == Ed25519 {
		return []crypto.Hash{crypto.SHA256, crypto.SHA512}
	}
	return []crypto.Hash{a.Hash()}
}

// AlgorithmOf returns the algorithm for a public key: RSA of exactly
// 2048 or 3072 bits, ECDSA on P-256 or P-384, or Ed25519.
func AlgorithmOf(pub crypto.PublicKey) (Algorithm, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch k.N.BitLen() {
		case 2048:
			return RSA2048PSS, nil
		case 3072:
			return RSA3072PSS, nil
		}
		return 0, fmt.Errorf("%w: RSA-%d (MCUboot verifies RSA-2048 and RSA-3072)", ErrUnsupportedKey, k.N.BitLen())
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ECDSAP256, nil
		case elliptic.P384():
			return ECDSAP384, nil
		}
		return 0, fmt.Errorf("%w: ECDSA on %s", ErrUnsupportedKey, k.Curve.Params().Name)
	case ed25519.PublicKey:
		return Ed25519, nil
	}
	return 0, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// PublicKeyBytes are the key bytes a bootloader embeds and the key hash
// covers (imgtool keys/*.py get_public_bytes; mcuboot-formats.md §2
// KEYHASH): PKCS#1 RSAPublicKey DER for RSA, SubjectPublicKeyInfo DER
// for ECDSA and Ed25519. `--public-key-format full` stores them in a
// PUBKEY TLV.
func PublicKeyBytes(pub crypto.PublicKey) ([]byte, error) {
	if _, err := AlgorithmOf(pub); err != nil {
		return nil, err
	}
	if k, ok := pub.(*rsa.PublicKey); ok {
		return x509.MarshalPKCS1PublicKey(k), nil
	}
	return x509.MarshalPKIXPublicKey(pub)
}

// KeyHash is the KEYHASH TLV value Sign writes for pub: the algorithm's
// image hash (Algorithm.Hash) over PublicKeyBytes, as imgtool computes it
// with the same hash as the image (image.py create()) and the bootloader
// checks it (bootutil_find_key.c). `imgtool getpubhash` always prints
// SHA-256, which differs for P-384.
func KeyHash(pub crypto.PublicKey) ([]byte, error) {
	alg, err := AlgorithmOf(pub)
	if err != nil {
		return nil, err
	}
	return keyHash(pub, alg.Hash())
}

func keyHash(pub crypto.PublicKey, h crypto.Hash) ([]byte, error) {
	kb, err := PublicKeyBytes(pub)
	if err != nil {
		return nil, err
	}
	w := h.New()
	w.Write(kb)
	return w.Sum(nil), nil
}

// hashTLVs maps hash functions to their TLV types and back.
var hashTLVs = []struct {
	h crypto.Hash
	t TLVType
}{{crypto.SHA256, TLVSHA256}, {crypto.SHA384, TLVSHA384}, {crypto.SHA512, TLVSHA512}}

func hashTLVType(h crypto.Hash) TLVType {
	for _, e := range hashTLVs {
		if e.h == h {
			return e.t
		}
	}
	return 0
}

func hashOfTLV(t TLVType) crypto.Hash {
	for _, e := range hashTLVs {
		if e.t == t {
			return e.h
		}
	}
	return 0
}
