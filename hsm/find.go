//go:build cgo

package hsm

import (
	"crypto"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/miekg/pkcs11"
)

// keyRef is a located private or secret key.
type keyRef struct {
	KeyInfo
	handle pkcs11.ObjectHandle
}

// Key finds the private or secret key labelled label.
func (t *Token) Key(label string) (KeyInfo, error) {
	k, err := t.find(pkcs11.CKA_LABEL, []byte(label))
	return k.KeyInfo, err
}

// KeyByID finds the private or secret key whose CKA_ID is id.
func (t *Token) KeyByID(id []byte) (KeyInfo, error) {
	k, err := t.find(pkcs11.CKA_ID, id)
	return k.KeyInfo, err
}

// Keys lists every private and secret key on the token, sorted by label.
func (t *Token) Keys() ([]KeyInfo, error) {
	var out []KeyInfo
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		hs, err := t.keyHandles(sh, nil)
		if err != nil {
			return err
		}
		for _, h := range hs {
			k, err := t.describe(sh, h)
			if err != nil {
				return err
			}
			out = append(out, k.KeyInfo)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, err
}

// find locates exactly one private or secret key by label or id.
func (t *Token) find(typ uint, val []byte) (keyRef, error) {
	what := fmt.Sprintf("label %q", val)
	if typ == pkcs11.CKA_ID {
		what = "id " + hex.EncodeToString(val)
	}
	var k keyRef
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		hs, err := t.keyHandles(sh, pkcs11.NewAttribute(typ, val))
		if err != nil {
			return err
		}
		switch len(hs) {
		case 0:
			return fmt.Errorf("token %q: no key with %s: %w", t.info.Label, what, ErrKeyNotFound)
		case 1:
			k, err = t.describe(sh, hs[0])
			return err
		}
		return fmt.Errorf("token %q: %d keys with %s; select by id instead", t.info.Label, len(hs), what)
	})
	return k, err
}

// keyHandles finds private and secret keys, optionally narrowed by extra.
func (t *Token) keyHandles(sh pkcs11.SessionHandle, extra *pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	var out []pkcs11.ObjectHandle
	for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_SECRET_KEY} {
		tmpl := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
		if extra != nil {
			tmpl = append(tmpl, extra)
		}
		hs, err := findAll(t.ctx, sh, tmpl)
		if err != nil {
			return nil, err
		}
		out = append(out, hs...)
	}
	return out, nil
}

func findAll(ctx session, sh pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := ctx.FindObjectsInit(sh, tmpl); err != nil {
		return nil, fmt.Errorf("C_FindObjectsInit: %w", err)
	}
	var out []pkcs11.ObjectHandle
	for {
		hs, _, err := ctx.FindObjects(sh, 64)
		if err != nil {
			ctx.FindObjectsFinal(sh)
			return nil, fmt.Errorf("C_FindObjects: %w", err)
		}
		out = append(out, hs...)
		if len(hs) < 64 {
			break
		}
	}
	if err := ctx.FindObjectsFinal(sh); err != nil {
		return nil, fmt.Errorf("C_FindObjectsFinal: %w", err)
	}
	return out, nil
}

// describe reads a key's label, id, algorithm and public half.
func (t *Token) describe(sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (keyRef, error) {
	ctx := t.ctx
	k := keyRef{handle: h}
	label, err := attr(ctx, sh, h, pkcs11.CKA_LABEL)
	if err != nil {
		return k, err
	}
	k.Label = string(label)
	if k.ID, err = attr(ctx, sh, h, pkcs11.CKA_ID); err != nil {
		return k, err
	}
	if k.Extractable, err = attrBool(ctx, sh, h, pkcs11.CKA_EXTRACTABLE); err != nil {
		return k, err
	}
	if k.Derive, err = attrBool(ctx, sh, h, pkcs11.CKA_DERIVE); err != nil {
		return k, err
	}
	// A token may hold keys signbox did not make; list them as unusable
	// rather than fail the whole listing.
	if k.Algorithm, err = algorithmOf(ctx, sh, h); err != nil {
		k.Unusable = err.Error()
		return k, nil
	}
	if k.Algorithm == HMACSHA256 {
		return k, nil
	}
	if k.Public, err = t.publicFor(sh, k.KeyInfo); err != nil {
		k.Unusable = err.Error()
		return k, nil
	}
	if rk, ok := k.Public.(*rsa.PublicKey); ok && rk.N.BitLen() != RSA3072.rsaBits() {
		k.Algorithm = Algorithm(fmt.Sprintf("rsa-%d", rk.N.BitLen()))
	}
	k.Fingerprint, err = Fingerprint(k.Public)
	return k, err
}

// publicFor finds the public key object paired with k by CKA_ID.
func (t *Token) publicFor(sh pkcs11.SessionHandle, k KeyInfo) (crypto.PublicKey, error) {
	hs, err := findAll(t.ctx, sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_ID, k.ID),
	})
	if err != nil {
		return nil, err
	}
	if len(hs) != 1 {
		return nil, fmt.Errorf("%d public key objects with its id, want 1", len(hs))
	}
	return readPublic(t.ctx, sh, hs[0], k.Algorithm)
}

// labelInUse reports whether any object, of any class, carries label.
func (t *Token) labelInUse(sh pkcs11.SessionHandle, label string) (bool, error) {
	hs, err := findAll(t.ctx, sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_LABEL, []byte(label))})
	return len(hs) > 0, err
}
