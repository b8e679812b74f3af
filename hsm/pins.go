//go:build cgo

package hsm

import (
	"fmt"

	"github.com/miekg/pkcs11"
)

// SetUserPIN changes the user PIN of this logged-in token (C_SetPIN).
// signbox uses it when a policy change rotates the custodians' shares, so
// shares of the old set stop opening the token.
func (t *Token) SetUserPIN(oldPIN, newPIN []byte) error {
	if err := t.needLogin("change the user PIN"); err != nil {
		return err
	}
	if len(newPIN) == 0 {
		return fmt.Errorf("token %q: empty new PIN", t.info.Label)
	}
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		return t.ctx.SetPIN(sh, string(oldPIN), string(newPIN))
	})
	if err != nil {
		return loginError(t.info.Label, fmt.Errorf("C_SetPIN: %w", err), func() string { return "" })
	}
	t.mod.repin(t.info.SlotID, newPIN)
	return nil
}

// SetSOPIN changes the security officer's PIN of the token uri selects:
// an SO login on a fresh session, C_SetPIN, logout. The token must have no
// user logged in by this process.
func SetSOPIN(uri string, oldSO, newSO []byte) error {
	return withSO(uri, oldSO, func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		if err := ctx.SetPIN(sh, string(oldSO), string(newSO)); err != nil {
			return fmt.Errorf("C_SetPIN (SO): %w", err)
		}
		return nil
	})
}

// InitUserPIN sets a new user PIN as the security officer (C_InitPIN),
// the recovery path for a locked user PIN.
func InitUserPIN(uri string, soPIN, userPIN []byte) error {
	return withSO(uri, soPIN, func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		if err := ctx.InitPIN(sh, string(userPIN)); err != nil {
			return fmt.Errorf("C_InitPIN: %w", err)
		}
		return nil
	})
}

func withSO(uri string, soPIN []byte, f func(*pkcs11.Ctx, pkcs11.SessionHandle) error) error {
	u, err := ParseURI(uri)
	if err != nil {
		return err
	}
	m, err := acquireModule(u.ModulePath)
	if err != nil {
		return err
	}
	defer m.release()
	info, err := m.selectToken(u)
	if err != nil {
		return err
	}
	sh, err := m.ctx.OpenSession(info.SlotID, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("token %q: C_OpenSession: %w", info.Label, err)
	}
	defer m.ctx.CloseSession(sh)
	if err := m.ctx.Login(sh, pkcs11.CKU_SO, string(soPIN)); err != nil {
		return loginError(info.Label, err, func() string { return "" })
	}
	defer m.ctx.Logout(sh)
	if err := f(m.ctx, sh); err != nil {
		return fmt.Errorf("token %q: %w", info.Label, err)
	}
	return nil
}
