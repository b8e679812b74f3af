//go:build cgo

package hsm

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/miekg/pkcs11"
)

// Token is an open, logged-in PKCS#11 token. It is safe for concurrent use.
type Token struct {
	mod     *module
	ctx     session // mod.ctx; a seam for fault-injection tests
	info    TokenSummary
	login   pkcs11.SessionHandle // held open so the login outlives idle pools
	pool    *pool
	mechs   map[uint]bool
	genMu   sync.Mutex // serialises label check + creation in GenerateKey
	closeMu sync.Once
	err     error
	public  bool // opened with OpenPublic: no login
}

// Open opens and logs in to the token the RFC 7512 URI selects. The PIN
// comes from pin, or, if pin is nil, from the URI's pin-source file.
func Open(uri string, pin PINFunc) (*Token, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if pin != nil && u.PINSource != "" {
		return nil, errors.New("pkcs11 URI has pin-source and a PIN callback was given too; use one")
	}
	if pin == nil {
		if u.PINSource == "" {
			return nil, errors.New("no PIN: give a PIN callback or pin-source= in the URI")
		}
		pin = pinFromFile(u.PINSource)
	}
	m, err := acquireModule(u.ModulePath)
	if err != nil {
		return nil, err
	}
	t, err := open(m, u, pin)
	if err != nil {
		m.release()
		return nil, err
	}
	return t, nil
}

func open(m *module, u URI, pin PINFunc) (*Token, error) {
	info, err := m.selectToken(u)
	if err != nil {
		return nil, err
	}
	if info.PINLocked {
		return nil, fmt.Errorf("token %q: %w: the security officer must reset it (C_InitPIN)", info.Label, ErrPINLocked)
	}
	mechs, err := mechanisms(m.ctx, info.SlotID)
	if err != nil {
		return nil, err
	}
	sh, err := m.ctx.OpenSession(info.SlotID, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return nil, fmt.Errorf("token %q: C_OpenSession: %w", info.Label, err)
	}
	if err := loginWith(m, info, sh, pin); err != nil {
		m.ctx.CloseSession(sh)
		return nil, err
	}
	return &Token{mod: m, ctx: m.ctx, info: info, login: sh, pool: newPool(m.ctx, info.SlotID, maxSessions), mechs: mechs}, nil
}

func loginWith(m *module, info TokenSummary, sh pkcs11.SessionHandle, pin PINFunc) error {
	p, err := pin()
	if err != nil {
		return fmt.Errorf("token %q: reading PIN: %w", info.Label, err)
	}
	defer clear(p)
	if len(p) == 0 {
		return fmt.Errorf("token %q: empty PIN", info.Label)
	}
	err = m.login(info.SlotID, sh, p)
	return loginError(info.Label, err, func() string { return retryNote(m, info.SlotID) })
}

// loginError turns C_Login's result into an operator-facing error. SoftHSM
// never locks a PIN, so the CKR_PIN_LOCKED branch is tested with a made-up
// return value.
func loginError(label string, err error, note func() string) error {
	switch {
	case err == nil:
		return nil
	case isRV(err, pkcs11.CKR_PIN_INCORRECT):
		return fmt.Errorf("token %q: %w: the token refused it; each wrong attempt may count towards locking the PIN%s",
			label, ErrPINIncorrect, note())
	case isRV(err, pkcs11.CKR_PIN_LOCKED):
		return fmt.Errorf("token %q: %w: the security officer must reset it (C_InitPIN)", label, ErrPINLocked)
	case errors.Is(err, ErrPINIncorrect):
		return fmt.Errorf("token %q: %w", label, err)
	}
	return fmt.Errorf("token %q: C_Login: %w", label, err)
}

// retryNote turns the token's PIN counter flags into advice.
func retryNote(m *module, slot uint) string {
	ti, err := m.ctx.GetTokenInfo(slot)
	switch {
	case err != nil:
		return ""
	case ti.Flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0:
		return " (the token says the next wrong PIN locks it)"
	case ti.Flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0:
		return " (the token says few attempts remain)"
	}
	return ""
}

func pinFromFile(path string) PINFunc {
	return func() ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("pin-source: %w", err)
		}
		return bytes.TrimRight(b, "\r\n"), nil
	}
}

func mechanisms(ctx *pkcs11.Ctx, slot uint) (map[uint]bool, error) {
	list, err := ctx.GetMechanismList(slot)
	if err != nil {
		return nil, fmt.Errorf("C_GetMechanismList: %w", err)
	}
	out := make(map[uint]bool, len(list))
	for _, m := range list {
		out[m.Mechanism] = true
	}
	return out, nil
}

// need reports a MechanismError if the token lacks mechanism m.
func (t *Token) need(m uint) error {
	if !t.mechs[m] {
		return &MechanismError{Mechanism: mechanismName(m), Token: t.info.Label}
	}
	return nil
}

// Info describes the open token.
func (t *Token) Info() TokenSummary { return t.info }

// Close ends every session of this Token and releases the module. Signers
// and HMACs from t stop working. Close is idempotent.
func (t *Token) Close() error {
	t.closeMu.Do(func() {
		t.pool.close()
		if !t.public {
			t.mod.logoutRef(t.info.SlotID, t.login)
		}
		t.mod.ctx.CloseSession(t.login)
		t.err = t.mod.release()
	})
	return t.err
}
