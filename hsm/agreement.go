//go:build cgo

package hsm

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// GenerateAgreementKey makes a P-256 key-agreement key pair in the token:
// the private key derives (CKA_DERIVE) and never signs, is sensitive and
// not extractable. A custodian's share of the appliance PIN is sealed to
// its public half. A label already in use is refused.
func (t *Token) GenerateAgreementKey(label string) (KeyInfo, error) {
	if err := t.needLogin("generate key " + label); err != nil {
		return KeyInfo{}, err
	}
	if err := checkLabel(label); err != nil {
		return KeyInfo{}, err
	}
	if err := t.need(pkcs11.CKM_ECDH1_DERIVE); err != nil {
		return KeyInfo{}, err
	}
	t.genMu.Lock()
	defer t.genMu.Unlock()
	var k keyRef
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		inUse, err := t.labelInUse(sh, label)
		if err != nil || inUse {
			return errors.Join(err, map[bool]error{true: ErrLabelExists}[inUse])
		}
		id, err := t.ctx.GenerateRandom(sh, idBytes)
		if err != nil {
			return fmt.Errorf("C_GenerateRandom for CKA_ID: %w", err)
		}
		pub, priv := pairTemplates(label, id, ECDSAP256, genConfig{})
		priv = setAttr(priv, pkcs11.CKA_SIGN, false)
		priv = append(priv, pkcs11.NewAttribute(pkcs11.CKA_DERIVE, true))
		pub = setAttr(pub, pkcs11.CKA_VERIFY, false)
		mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_EC_KEY_PAIR_GEN, nil)}
		_, h, err := t.ctx.GenerateKeyPair(sh, mech, pub, priv)
		if err != nil {
			return fmt.Errorf("CKM_EC_KEY_PAIR_GEN: %w", err)
		}
		k, err = t.describe(sh, h)
		return err
	})
	if err != nil {
		return KeyInfo{}, fmt.Errorf("token %q: generate agreement key %q: %w", t.info.Label, label, err)
	}
	return k.KeyInfo, nil
}

func setAttr(tmpl []*pkcs11.Attribute, typ uint, v bool) []*pkcs11.Attribute {
	out := make([]*pkcs11.Attribute, 0, len(tmpl))
	for _, a := range tmpl {
		if a.Type != typ {
			out = append(out, a)
		}
	}
	return append(out, pkcs11.NewAttribute(typ, v))
}

// AgreementPublic returns the public half of the key-agreement key label.
func (t *Token) AgreementPublic(label string) (*ecdh.PublicKey, error) {
	k, err := t.agreementKey(label)
	if err != nil {
		return nil, err
	}
	return k.Public.(*ecdsa.PublicKey).ECDH()
}

func (t *Token) agreementKey(label string) (keyRef, error) {
	if err := t.needLogin("key-agreement key " + label); err != nil {
		return keyRef{}, err
	}
	k, err := t.find(pkcs11.CKA_LABEL, []byte(label))
	if err != nil {
		return keyRef{}, err
	}
	if !k.Derive || k.Algorithm != ECDSAP256 {
		return keyRef{}, fmt.Errorf("token %q: key %q is not a P-256 key-agreement key", t.info.Label, label)
	}
	return k, nil
}

// ECDH computes the raw P-256 shared secret (the X coordinate, 32 bytes)
// of the key-agreement key label and peer, inside the token. The derived
// secret exists on the token only as a session object that is destroyed
// before ECDH returns.
func (t *Token) ECDH(label string, peer *ecdh.PublicKey) ([]byte, error) {
	if peer == nil || peer.Curve() != ecdh.P256() {
		return nil, errors.New("ECDH: the peer key must be on P-256")
	}
	k, err := t.agreementKey(label)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = t.pool.with(func(sh pkcs11.SessionHandle) error {
		var err error
		out, err = t.derive(sh, k.handle, peer.Bytes())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("token %q: ECDH with %q: %w", t.info.Label, label, err)
	}
	return out, nil
}

func (t *Token) derive(sh pkcs11.SessionHandle, base pkcs11.ObjectHandle, point []byte) ([]byte, error) {
	params := pkcs11.NewECDH1DeriveParams(pkcs11.CKD_NULL, nil, point)
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_ECDH1_DERIVE, params)}
	h, err := t.ctx.DeriveKey(sh, mech, base, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_GENERIC_SECRET),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, false),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, false),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, true),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, 32),
	})
	if err != nil {
		return nil, fmt.Errorf("C_DeriveKey CKM_ECDH1_DERIVE: %w", err)
	}
	defer t.ctx.DestroyObject(sh, h)
	v, err := attr(t.ctx, sh, h, pkcs11.CKA_VALUE)
	if err != nil {
		return nil, err
	}
	if len(v) != 32 {
		clear(v)
		return nil, fmt.Errorf("derived %d bytes, want 32", len(v))
	}
	return v, nil
}
