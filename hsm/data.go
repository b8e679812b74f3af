//go:build cgo

package hsm

import (
	"fmt"

	"github.com/miekg/pkcs11"
)

// MaxDataValue bounds a data object's value: signbox stores short signed
// statements (the HSM anchor) in them, and tokens limit object sizes.
const MaxDataValue = 256 << 10

// dataApplication is CKA_APPLICATION of every data object signbox writes.
const dataApplication = "signbox"

// PutData stores value as a token data object labelled label: private
// (readable only after login) or public (readable by anyone who can open
// the token). The new object is created, unmodifiable, before every older
// one of that label and visibility is destroyed, so a crash leaves the old
// and the new value, never none. It needs a login.
func (t *Token) PutData(label string, value []byte, public bool) error {
	if err := t.needLogin("write data object " + label); err != nil {
		return err
	}
	if len(value) > MaxDataValue {
		return fmt.Errorf("data object %q: %d bytes exceed %d", label, len(value), MaxDataValue)
	}
	return t.pool.with(func(sh pkcs11.SessionHandle) error {
		old, err := t.dataHandles(sh, label, public)
		if err != nil {
			return err
		}
		if _, err := t.ctx.CreateObject(sh, dataTemplate(label, value, public)); err != nil {
			return fmt.Errorf("token %q: create data object %q: C_CreateObject: %w", t.info.Label, label, err)
		}
		for _, h := range old {
			if err := t.ctx.DestroyObject(sh, h); err != nil {
				return fmt.Errorf("token %q: replace data object %q: C_DestroyObject: %w", t.info.Label, label, err)
			}
		}
		return nil
	})
}

func dataTemplate(label string, value []byte, public bool) []*pkcs11.Attribute {
	return []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_DATA),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, !public),
		pkcs11.NewAttribute(pkcs11.CKA_MODIFIABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_APPLICATION, dataApplication),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, value),
	}
}

// Data returns the values of the data objects labelled label with the
// given visibility: normally one, two after a crash inside PutData. A
// private one is visible only to a logged-in Token. ErrObjectNotFound when
// there is none.
func (t *Token) Data(label string, public bool) ([][]byte, error) {
	var out [][]byte
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		hs, err := t.dataHandles(sh, label, public)
		if err != nil {
			return err
		}
		for _, h := range hs {
			v, err := attr(t.ctx, sh, h, pkcs11.CKA_VALUE)
			if err != nil {
				return err
			}
			if len(v) > MaxDataValue {
				return fmt.Errorf("data object %q: %d bytes exceed %d", label, len(v), MaxDataValue)
			}
			out = append(out, v)
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("token %q: %w: %q", t.info.Label, ErrObjectNotFound, label)
	}
	return out, err
}

func (t *Token) dataHandles(sh pkcs11.SessionHandle, label string, public bool) ([]pkcs11.ObjectHandle, error) {
	return findAll(t.ctx, sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_DATA),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, !public),
		pkcs11.NewAttribute(pkcs11.CKA_APPLICATION, dataApplication),
	})
}

// DeleteData destroys every data object labelled label with the given
// visibility; none is not an error. A public object can be destroyed
// without a login (a read/write public session, as OpenPublic opens); a
// private one needs it.
func (t *Token) DeleteData(label string, public bool) error {
	if !public {
		if err := t.needLogin("delete data object " + label); err != nil {
			return err
		}
	}
	return t.pool.with(func(sh pkcs11.SessionHandle) error {
		hs, err := t.dataHandles(sh, label, public)
		if err != nil {
			return err
		}
		for _, h := range hs {
			if err := t.ctx.DestroyObject(sh, h); err != nil {
				return fmt.Errorf("token %q: delete data object %q: C_DestroyObject: %w", t.info.Label, label, err)
			}
		}
		return nil
	})
}
