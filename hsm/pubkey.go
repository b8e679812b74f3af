//go:build cgo

package hsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/miekg/pkcs11"
)

// readPublic builds the stdlib public key of public key object h.
func readPublic(ctx session, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, alg Algorithm) (crypto.PublicKey, error) {
	switch alg {
	case RSA3072, RSA2048:
		return readRSA(ctx, sh, h)
	case ECDSAP256, ECDSAP384:
		point, err := attr(ctx, sh, h, pkcs11.CKA_EC_POINT)
		if err != nil {
			return nil, err
		}
		curve := map[Algorithm]elliptic.Curve{ECDSAP256: elliptic.P256(), ECDSAP384: elliptic.P384()}[alg]
		return parseECPoint(curve, point)
	case Ed25519:
		point, err := attr(ctx, sh, h, pkcs11.CKA_EC_POINT)
		if err != nil {
			return nil, err
		}
		return parseEd25519Point(point)
	}
	return nil, fmt.Errorf("%s keys have no public half", alg)
}

func readRSA(ctx session, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (crypto.PublicKey, error) {
	n, err := attr(ctx, sh, h, pkcs11.CKA_MODULUS)
	if err != nil {
		return nil, err
	}
	e, err := attr(ctx, sh, h, pkcs11.CKA_PUBLIC_EXPONENT)
	if err != nil {
		return nil, err
	}
	exp := new(big.Int).SetBytes(e)
	if !exp.IsInt64() || exp.Int64() > 1<<31-1 || exp.Int64() < 3 {
		return nil, fmt.Errorf("RSA public exponent %v out of range", exp)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, nil
}

// unwrapOctets strips the DER OCTET STRING that PKCS#11 v2.40 puts around
// CKA_EC_POINT (section 2.3.3); some tokens return the bare point instead.
func unwrapOctets(b []byte, want int) []byte {
	var inner []byte
	if rest, err := asn1.Unmarshal(b, &inner); err == nil && len(rest) == 0 && len(inner) == want {
		return inner
	}
	return b
}

func parseECPoint(curve elliptic.Curve, b []byte) (*ecdsa.PublicKey, error) {
	size := (curve.Params().BitSize + 7) / 8
	pt := unwrapOctets(b, 1+2*size)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, pt)
	if err != nil {
		return nil, fmt.Errorf("CKA_EC_POINT: %w", err)
	}
	return pub, nil
}

func parseEd25519Point(b []byte) (ed25519.PublicKey, error) {
	pt := unwrapOctets(b, ed25519.PublicKeySize)
	if len(pt) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("CKA_EC_POINT: %d bytes, want an Ed25519 point of %d", len(pt), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(bytes.Clone(pt)), nil
}

// algorithmOf classifies a key object by its CKA_KEY_TYPE and parameters.
func algorithmOf(ctx session, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (Algorithm, error) {
	kt, err := attrUint(ctx, sh, h, pkcs11.CKA_KEY_TYPE)
	if err != nil {
		return "", err
	}
	switch kt {
	case pkcs11.CKK_RSA:
		return RSA3072, nil // the size is checked where it matters: readRSA callers
	case ckkECEdwards:
		return Ed25519, nil
	case pkcs11.CKK_GENERIC_SECRET:
		return HMACSHA256, nil
	case pkcs11.CKK_EC:
		p, err := attr(ctx, sh, h, pkcs11.CKA_EC_PARAMS)
		if err != nil {
			return "", err
		}
		for _, a := range []Algorithm{ECDSAP256, ECDSAP384} {
			if bytes.Equal(p, a.ecParams()) {
				return a, nil
			}
		}
		return "", fmt.Errorf("EC key on unsupported curve (CKA_EC_PARAMS %x)", p)
	}
	return "", fmt.Errorf("unsupported key type 0x%x", kt)
}

func attr(ctx session, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, typ uint) ([]byte, error) {
	a, err := ctx.GetAttributeValue(sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
	if err != nil {
		return nil, fmt.Errorf("C_GetAttributeValue 0x%x: %w", typ, err)
	}
	if len(a) != 1 {
		return nil, errors.New("C_GetAttributeValue: no value")
	}
	return a[0].Value, nil
}

func attrUint(ctx session, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, typ uint) (uint, error) {
	v, err := attr(ctx, sh, h, typ)
	if err != nil {
		return 0, err
	}
	return bytesToUint(v)
}

// bytesToUint decodes a native-endian CK_ULONG as miekg/pkcs11 returns it.
func bytesToUint(b []byte) (uint, error) {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b)), nil
	case 4:
		return uint(binary.NativeEndian.Uint32(b)), nil
	}
	return 0, fmt.Errorf("CK_ULONG of %d bytes", len(b))
}

func attrBool(ctx session, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, typ uint) (bool, error) {
	v, err := attr(ctx, sh, h, typ)
	if err != nil {
		return false, err
	}
	return len(v) == 1 && v[0] != 0, nil
}
