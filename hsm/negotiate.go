//go:build cgo

package hsm

import (
	"crypto"
	"fmt"

	"github.com/miekg/pkcs11"
)

// A signWay is one way a token can make a signature of some algorithm.
// Tokens differ in which they offer: some hash inside the token only
// (CKM_SHA256_RSA_PKCS_PSS, CKM_ECDSA_SHA256), some sign only a digest the
// host made (CKM_RSA_PKCS_PSS, CKM_ECDSA), some offer PSS only as raw RSA
// with the encoding done by the caller (CKM_RSA_X_509). The choice is made
// from the token's mechanism list, never from its name.
type signWay struct {
	mech uint
	// combined: the token hashes the message itself; only SignMessage
	// (the whole message at hand) can use it.
	combined bool
	// hostPSS: the host applies EMSA-PSS (RFC 8017 section 9.1.1) to the
	// digest and the token does the bare RSA private-key operation.
	hostPSS bool
}

// Name is the mechanism's spec name, with what the host does.
func (w signWay) Name() string {
	n := mechanismName(w.mech)
	switch {
	case w.hostPSS:
		return n + " + host EMSA-PSS"
	case w.combined:
		return n
	}
	return n + " + host hash"
}

// combinedMech is the hash-and-sign mechanism of a for hash h, or 0.
func combinedMech(a Algorithm, h crypto.Hash) uint {
	switch a {
	case RSA3072, RSA2048:
		return map[crypto.Hash]uint{crypto.SHA256: pkcs11.CKM_SHA256_RSA_PKCS_PSS,
			crypto.SHA384: pkcs11.CKM_SHA384_RSA_PKCS_PSS, crypto.SHA512: pkcs11.CKM_SHA512_RSA_PKCS_PSS}[h]
	case ECDSAP256, ECDSAP384:
		return map[crypto.Hash]uint{crypto.SHA256: pkcs11.CKM_ECDSA_SHA256,
			crypto.SHA384: pkcs11.CKM_ECDSA_SHA384, crypto.SHA512: pkcs11.CKM_ECDSA_SHA512}[h]
	}
	return 0
}

// digestWays are the ways of a, in order of preference, that sign a digest
// the host computed (crypto.Signer.Sign).
func digestWays(a Algorithm) []signWay {
	switch a {
	case RSA3072, RSA2048:
		return []signWay{{mech: pkcs11.CKM_RSA_PKCS_PSS}, {mech: pkcs11.CKM_RSA_X_509, hostPSS: true}}
	case ECDSAP256, ECDSAP384:
		return []signWay{{mech: pkcs11.CKM_ECDSA}}
	case Ed25519:
		return []signWay{{mech: ckmEdDSA, combined: true}}
	case HMACSHA256:
		return []signWay{{mech: pkcs11.CKM_SHA256_HMAC, combined: true}}
	}
	return nil // an algorithm added without a signing way: refused, never guessed
}

// digestWay picks the first digest way the token offers.
func digestWay(a Algorithm, mechs map[uint]bool) (signWay, error) {
	ways := digestWays(a)
	if len(ways) == 0 {
		return signWay{}, fmt.Errorf("no signing mechanism is known for %s", a)
	}
	for _, w := range ways {
		if mechs[w.mech] {
			return w, nil
		}
	}
	return signWay{}, fmt.Errorf("%s signing needs one of %s", a, wayNames(ways))
}

// messageWay picks how to sign a whole message hashed with h: the token's
// combined mechanism if it has one, else the host hashes and a digest way
// signs.
func messageWay(a Algorithm, h crypto.Hash, mechs map[uint]bool) (signWay, error) {
	if m := combinedMech(a, h); m != 0 && mechs[m] {
		return signWay{mech: m, combined: true}, nil
	}
	return digestWay(a, mechs)
}

func wayNames(ws []signWay) string {
	s := ""
	for i, w := range ws {
		if i > 0 {
			s += " or "
		}
		s += mechanismName(w.mech)
	}
	return s
}

// needSign reports a MechanismError naming every acceptable mechanism when
// the token offers no way to sign with a key of type a.
func (t *Token) needSign(a Algorithm) (signWay, error) {
	w, err := digestWay(a, t.mechs)
	if err != nil && len(digestWays(a)) == 0 {
		return signWay{}, err
	}
	if err != nil {
		return signWay{}, &MechanismError{Mechanism: wayNames(digestWays(a)), Token: t.info.Label}
	}
	return w, nil
}
