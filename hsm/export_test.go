//go:build cgo

package hsm

import (
	"crypto"
	"fmt"

	"github.com/miekg/pkcs11"
)

// KeyFlags reads CKA_SENSITIVE and CKA_EXTRACTABLE of the key labelled
// label, so tests can check the generation templates took effect.
func KeyFlags(t *Token, label string) (sensitive, extractable bool, err error) {
	k, err := t.find(pkcs11.CKA_LABEL, []byte(label))
	if err != nil {
		return false, false, err
	}
	err = t.pool.with(func(sh pkcs11.SessionHandle) error {
		if sensitive, err = attrBool(t.mod.ctx, sh, k.handle, pkcs11.CKA_SENSITIVE); err != nil {
			return err
		}
		extractable, err = attrBool(t.mod.ctx, sh, k.handle, pkcs11.CKA_EXTRACTABLE)
		return err
	})
	return sensitive, extractable, err
}

// ImportForeignKeys stores what other tools leave on tokens: an AES key
// labelled aesLabel and an EC private key without a public key object
// labelled orphanLabel.
func ImportForeignKeys(t *Token, aesLabel, orphanLabel string) error {
	return t.pool.with(func(sh pkcs11.SessionHandle) error {
		aes := append(common(aesLabel, []byte(aesLabel), pkcs11.CKO_SECRET_KEY, pkcs11.CKK_AES),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, 32))
		if _, err := t.ctx.GenerateKey(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}, aes); err != nil {
			return fmt.Errorf("AES key: %w", err)
		}
		pub, priv := pairTemplates(orphanLabel, []byte(orphanLabel), ECDSAP256, genConfig{})
		pubH, _, err := t.ctx.GenerateKeyPair(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_EC_KEY_PAIR_GEN, nil)}, pub, priv)
		if err != nil {
			return fmt.Errorf("EC pair: %w", err)
		}
		return t.mod.ctx.DestroyObject(sh, pubH)
	})
}

// ImportHMACKey stores a known generic-secret key so tests can compare the
// token's HMAC with crypto/hmac. Production code only generates keys.
func ImportHMACKey(t *Token, label string, key []byte) error {
	return t.pool.with(func(sh pkcs11.SessionHandle) error {
		tmpl := append(common(label, []byte(label), pkcs11.CKO_SECRET_KEY, pkcs11.CKK_GENERIC_SECRET),
			pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE, key))
		_, err := t.mod.ctx.CreateObject(sh, tmpl)
		if err != nil {
			return fmt.Errorf("C_CreateObject: %w", err)
		}
		return nil
	})
}

// faulty fails chosen calls of a real session with a PKCS#11 return value,
// for failures SoftHSM does not produce on demand (a token pulled mid-sign,
// a session the token forgot). Everything else reaches SoftHSM.
type faulty struct {
	session
	fail map[string]pkcs11.Error
}

func (f faulty) Sign(sh pkcs11.SessionHandle, m []byte) ([]byte, error) {
	if rv, ok := f.fail["Sign"]; ok {
		return nil, rv
	}
	sig, err := f.session.Sign(sh, m)
	if _, ok := f.fail["CorruptSign"]; ok && err == nil {
		sig[len(sig)/2] ^= 1 // a fault-attacked or broken token
	}
	return sig, err
}

func (f faulty) GenerateRandom(sh pkcs11.SessionHandle, n int) ([]byte, error) {
	if rv, ok := f.fail["GenerateRandom"]; ok {
		return nil, rv
	}
	return f.session.GenerateRandom(sh, n)
}

func (f faulty) GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, pub, priv []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
	if rv, ok := f.fail["GenerateKeyPair"]; ok {
		return 0, 0, rv
	}
	return f.session.GenerateKeyPair(sh, m, pub, priv)
}

// InjectFaults makes call (Sign, GenerateRandom, GenerateKeyPair) fail with
// rv, or with call "CorruptSign" flips a bit of every signature, on t until the returned function restores the real calls. Not safe to
// call while t is in use.
func InjectFaults(t *Token, call string, rv uint) (restore func()) {
	real := t.ctx
	f := faulty{session: real, fail: map[string]pkcs11.Error{call: pkcs11.Error(rv)}}
	t.ctx, t.pool.ctx = f, f
	return func() { t.ctx, t.pool.ctx = real, real }
}

// IdleSessions is how many sessions t's pool holds for reuse.
func IdleSessions(t *Token) int { return len(t.pool.idle) }

// ForceHostPSS makes an RSA signer use CKM_RSA_X_509 with host EMSA-PSS,
// the fallback for tokens without CKM_RSA_PKCS_PSS.
func ForceHostPSS(s crypto.Signer) {
	s.(*signer).way = signWay{mech: pkcs11.CKM_RSA_X_509, hostPSS: true}
}
