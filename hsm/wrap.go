//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/miekg/pkcs11"
)

// wrapMechanism is AES key wrap with padding (RFC 5649): it wraps PKCS#8
// private keys of any length and authenticates them, so a tampered or
// wrongly keyed backup fails to unwrap instead of yielding a wrong key.
const wrapMechanism = pkcs11.CKM_AES_KEY_WRAP_PAD

// ImportWrapKey creates a session-only AES-256 key labelled label from
// value (the backup key rebuilt from the custodians' shares). It can wrap
// and unwrap and nothing else, and it never leaves the token; destroy
// removes it (closing the Token does too).
func (t *Token) ImportWrapKey(label string, value []byte) (destroy func() error, err error) {
	if err := t.needLogin("import wrap key " + label); err != nil {
		return nil, err
	}
	if len(value) != 32 {
		return nil, fmt.Errorf("wrap key %q: %d bytes, want 32", label, len(value))
	}
	if err := t.need(wrapMechanism); err != nil {
		return nil, err
	}
	// A session object lives as long as the session that created it: the
	// Token's login session, held open until Close, not a pooled one that
	// an error may close.
	t.genMu.Lock()
	h, err := t.ctx.CreateObject(t.login, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, false),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_WRAP, true),
		pkcs11.NewAttribute(pkcs11.CKA_UNWRAP, true),
		pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, value),
	})
	t.genMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("token %q: import wrap key %q: C_CreateObject: %w", t.info.Label, label, err)
	}
	return func() error {
		t.genMu.Lock()
		defer t.genMu.Unlock()
		return t.ctx.DestroyObject(t.login, h)
	}, nil
}

// wrapKeyHandle finds the session wrap key labelled label.
func (t *Token) wrapKeyHandle(sh pkcs11.SessionHandle, label string) (pkcs11.ObjectHandle, error) {
	hs, err := findAll(t.ctx, sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
	})
	if err != nil {
		return 0, err
	}
	if len(hs) != 1 {
		return 0, fmt.Errorf("%d wrap keys labelled %q, want 1", len(hs), label)
	}
	return hs[0], nil
}

// WrapKey wraps the private or secret key keyLabel under the wrap key
// wrapLabel. Only keys generated Wrappable can be wrapped; any other is
// refused by name.
func (t *Token) WrapKey(wrapLabel, keyLabel string) ([]byte, error) {
	k, err := t.find(pkcs11.CKA_LABEL, []byte(keyLabel))
	if err != nil {
		return nil, err
	}
	if !k.Extractable {
		return nil, fmt.Errorf("token %q: key %q was not generated for backup (not extractable); it cannot be wrapped", t.info.Label, keyLabel)
	}
	var out []byte
	err = t.pool.with(func(sh pkcs11.SessionHandle) error {
		w, err := t.wrapKeyHandle(sh, wrapLabel)
		if err != nil {
			return err
		}
		out, err = t.ctx.WrapKey(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(wrapMechanism, nil)}, w, k.handle)
		if isRV(err, pkcs11.CKR_KEY_NOT_WRAPPABLE) {
			return fmt.Errorf("%w: this token cannot wrap %s keys with CKM_AES_KEY_WRAP_PAD (CKR_KEY_NOT_WRAPPABLE)", ErrMechanismUnsupported, k.Algorithm)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("token %q: wrap %q: %w", t.info.Label, keyLabel, err)
	}
	return out, nil
}

// UnwrapKey recreates a wrapped key on this token with k's label, CKA_ID
// and algorithm (still wrappable, so it can be backed up again) and, for
// key pairs, its public key object from pub. It refuses a label in use and
// returns the key as read back: its fingerprint must be k's.
func (t *Token) UnwrapKey(wrapLabel string, wrapped []byte, k KeyInfo, pub crypto.PublicKey) (KeyInfo, error) {
	if err := t.needLogin("unwrap key " + k.Label); err != nil {
		return KeyInfo{}, err
	}
	t.genMu.Lock()
	defer t.genMu.Unlock()
	var out keyRef
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		inUse, err := t.labelInUse(sh, k.Label)
		if err != nil {
			return err
		}
		if inUse {
			return ErrLabelExists
		}
		w, err := t.wrapKeyHandle(sh, wrapLabel)
		if err != nil {
			return err
		}
		out, err = t.unwrap(sh, w, wrapped, k, pub)
		return err
	})
	if err != nil {
		return KeyInfo{}, fmt.Errorf("token %q: unwrap %q: %w", t.info.Label, k.Label, err)
	}
	return out.KeyInfo, nil
}

func (t *Token) unwrap(sh pkcs11.SessionHandle, w pkcs11.ObjectHandle, wrapped []byte, k KeyInfo, pub crypto.PublicKey) (keyRef, error) {
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(wrapMechanism, nil)}
	if k.Algorithm == HMACSHA256 {
		tmpl := secretTemplate(k.Label, k.ID, genConfig{wrappable: true})
		h, err := t.ctx.UnwrapKey(sh, mech, w, wrapped, withoutValueLen(tmpl))
		if err != nil {
			return keyRef{}, fmt.Errorf("C_UnwrapKey: %w", err)
		}
		return t.describe(sh, h)
	}
	pubTmpl, err := publicTemplate(k, pub)
	if err != nil {
		return keyRef{}, err
	}
	_, priv := pairTemplates(k.Label, k.ID, k.Algorithm, genConfig{wrappable: true})
	h, err := t.ctx.UnwrapKey(sh, mech, w, wrapped, priv)
	if err != nil {
		return keyRef{}, fmt.Errorf("C_UnwrapKey: %w", err)
	}
	if _, err := t.ctx.CreateObject(sh, pubTmpl); err != nil {
		t.ctx.DestroyObject(sh, h)
		return keyRef{}, fmt.Errorf("create public key object: C_CreateObject: %w", err)
	}
	return t.describe(sh, h)
}

// withoutValueLen drops CKA_VALUE_LEN: an unwrapped key takes its length
// from the wrapped value.
func withoutValueLen(tmpl []*pkcs11.Attribute) []*pkcs11.Attribute {
	var out []*pkcs11.Attribute
	for _, a := range tmpl {
		if a.Type != pkcs11.CKA_VALUE_LEN {
			out = append(out, a)
		}
	}
	return out
}

// publicTemplate is a public key object for pub, encoded as readPublic
// reads it back.
func publicTemplate(k KeyInfo, pub crypto.PublicKey) ([]*pkcs11.Attribute, error) {
	kt := map[Algorithm]uint{RSA3072: pkcs11.CKK_RSA, RSA2048: pkcs11.CKK_RSA, ECDSAP256: pkcs11.CKK_EC, ECDSAP384: pkcs11.CKK_EC, Ed25519: ckkECEdwards}[k.Algorithm]
	tmpl := append(common(k.Label, k.ID, pkcs11.CKO_PUBLIC_KEY, kt), pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false))
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_MODULUS, p.N.Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, big.NewInt(int64(p.E)).Bytes())), nil
	case *ecdsa.PublicKey:
		raw, err := p.Bytes() // the uncompressed point, as CKA_EC_POINT carries it
		if err != nil {
			return nil, err
		}
		point, err := asn1.Marshal(raw)
		if err != nil {
			return nil, err
		}
		return append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, k.Algorithm.ecParams()), pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, point)), nil
	case ed25519.PublicKey:
		point, err := asn1.Marshal([]byte(p))
		if err != nil {
			return nil, err
		}
		return append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, k.Algorithm.ecParams()), pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, point)), nil
	}
	return nil, fmt.Errorf("no public key of type %T for %s", pub, k.Algorithm)
}
