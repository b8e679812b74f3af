package hsm

import (
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
