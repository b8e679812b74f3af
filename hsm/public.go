//go:build cgo

package hsm

import (
	"fmt"
	"sort"

	"github.com/miekg/pkcs11"
)

// OpenPublic opens the token the URI selects without logging in. Only
// public objects are visible: the token's summary, public key objects and
// public data objects. Anything that needs the user (signing, HMAC, key
// generation, ECDH, private data) fails with ErrNotLoggedIn. signbox
// opens the appliance token this way between ceremonies, when nobody
// holds its PIN.
func OpenPublic(uri string) (*Token, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	m, err := acquireModule(u.ModulePath)
	if err != nil {
		return nil, err
	}
	info, err := m.selectToken(u)
	if err != nil {
		m.release()
		return nil, err
	}
	mechs, err := mechanisms(m.ctx, info.SlotID)
	if err != nil {
		m.release()
		return nil, err
	}
	// Read/write, though it writes nothing: PKCS#11 refuses a security
	// officer login (C_SetPIN of the SO PIN after a share rotation) while
	// any read-only session of the application is open.
	sh, err := m.ctx.OpenSession(info.SlotID, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		m.release()
		return nil, fmt.Errorf("token %q: C_OpenSession: %w", info.Label, err)
	}
	return &Token{mod: m, ctx: m.ctx, info: info, login: sh, pool: newPool(m.ctx, info.SlotID, maxSessions), mechs: mechs, public: true}, nil
}

// needLogin refuses operations on a Token opened with OpenPublic.
func (t *Token) needLogin(what string) error {
	if t.public {
		return fmt.Errorf("token %q: %s: %w", t.info.Label, what, ErrNotLoggedIn)
	}
	return nil
}

// PublicKeys lists the token's public key objects that signbox can read,
// sorted by label. It needs no login.
func (t *Token) PublicKeys() ([]KeyInfo, error) {
	var out []KeyInfo
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		hs, err := findAll(t.ctx, sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY)})
		if err != nil {
			return err
		}
		for _, h := range hs {
			k, err := t.describePublic(sh, h)
			if err != nil {
				return err
			}
			if k.Unusable == "" {
				out = append(out, k)
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, err
}

func (t *Token) describePublic(sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) (KeyInfo, error) {
	var k KeyInfo
	label, err := attr(t.ctx, sh, h, pkcs11.CKA_LABEL)
	if err != nil {
		return k, err
	}
	k.Label = string(label)
	if k.ID, err = attr(t.ctx, sh, h, pkcs11.CKA_ID); err != nil {
		return k, err
	}
	if k.Algorithm, err = algorithmOf(t.ctx, sh, h); err != nil {
		k.Unusable = err.Error()
		return k, nil
	}
	if k.Public, err = readPublic(t.ctx, sh, h, k.Algorithm); err != nil {
		k.Unusable = err.Error()
		return k, nil
	}
	k.Fingerprint, err = Fingerprint(k.Public)
	return k, err
}
