//go:build cgo

package hsm

import (
	"encoding/asn1"
	"fmt"

	"github.com/miekg/pkcs11"
)

// genMechanism is the key (pair) generation mechanism for a.
func (a Algorithm) genMechanism() uint {
	switch a {
	case RSA3072, RSA2048:
		return pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN
	case ECDSAP256, ECDSAP384:
		return pkcs11.CKM_EC_KEY_PAIR_GEN
	case Ed25519:
		return ckmECEdwardsKeyPairGen
	default:
		return pkcs11.CKM_GENERIC_SECRET_KEY_GEN
	}
}

// signMechanism is the mechanism used with keys of type a.
func (a Algorithm) signMechanism() uint {
	switch a {
	case RSA3072, RSA2048:
		return pkcs11.CKM_RSA_PKCS_PSS
	case ECDSAP256, ECDSAP384:
		return pkcs11.CKM_ECDSA
	case Ed25519:
		return ckmEdDSA
	default:
		return pkcs11.CKM_SHA256_HMAC
	}
}

// mechanismName is the spec name of m, for error messages.
func mechanismName(m uint) string {
	switch m {
	case ckmECEdwardsKeyPairGen:
		return "CKM_EC_EDWARDS_KEY_PAIR_GEN"
	case ckmEdDSA:
		return "CKM_EDDSA"
	}
	for _, n := range []struct {
		m    uint
		name string
	}{
		{pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, "CKM_RSA_PKCS_KEY_PAIR_GEN"},
		{pkcs11.CKM_EC_KEY_PAIR_GEN, "CKM_EC_KEY_PAIR_GEN"},
		{pkcs11.CKM_GENERIC_SECRET_KEY_GEN, "CKM_GENERIC_SECRET_KEY_GEN"},
		{pkcs11.CKM_RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS"},
		{pkcs11.CKM_RSA_X_509, "CKM_RSA_X_509"},
		{pkcs11.CKM_SHA256_RSA_PKCS_PSS, "CKM_SHA256_RSA_PKCS_PSS"},
		{pkcs11.CKM_SHA384_RSA_PKCS_PSS, "CKM_SHA384_RSA_PKCS_PSS"},
		{pkcs11.CKM_SHA512_RSA_PKCS_PSS, "CKM_SHA512_RSA_PKCS_PSS"},
		{pkcs11.CKM_ECDSA_SHA256, "CKM_ECDSA_SHA256"},
		{pkcs11.CKM_ECDSA_SHA384, "CKM_ECDSA_SHA384"},
		{pkcs11.CKM_ECDSA_SHA512, "CKM_ECDSA_SHA512"},
		{pkcs11.CKM_ECDH1_DERIVE, "CKM_ECDH1_DERIVE"},
		{pkcs11.CKM_AES_KEY_WRAP_PAD, "CKM_AES_KEY_WRAP_PAD"},
		{pkcs11.CKM_ECDSA, "CKM_ECDSA"},
		{pkcs11.CKM_SHA256_HMAC, "CKM_SHA256_HMAC"},
	} {
		if n.m == m {
			return n.name
		}
	}
	return fmt.Sprintf("mechanism 0x%x", m)
}

// PKCS#11 3.0 values that miekg/pkcs11 (a 2.40 binding) does not name.
// Source: OASIS PKCS#11 v3.0 base specification, section 2 / pkcs11t.h.
const (
	ckkECEdwards           = 0x40
	ckmECEdwardsKeyPairGen = 0x1055
	ckmEdDSA               = 0x1057
	hmacKeyBytes           = 32 // RFC 2104: key length >= hash output; SoftHSM refuses less for SHA256-HMAC
)

// Curve OIDs as DER for CKA_EC_PARAMS. Sources: RFC 5480 section 2.1.1.1
// (secp256r1, secp384r1) and RFC 8410 section 3 (id-Ed25519).
var (
	oidP256    = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384    = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// ecParams is the DER OID for CKA_EC_PARAMS.
func (a Algorithm) ecParams() []byte {
	oid := map[Algorithm]asn1.ObjectIdentifier{ECDSAP256: oidP256, ECDSAP384: oidP384, Ed25519: oidEd25519}[a]
	der, err := asn1.Marshal(oid)
	if err != nil {
		panic(err) // constant OIDs always marshal
	}
	return der
}
