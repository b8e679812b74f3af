//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"sync"

	"github.com/miekg/pkcs11"
)

// InitFreeToken initialises the first uninitialised token of the library at
// modulePath with label and both PINs through C_InitToken and C_InitPIN, so
// no PIN ever appears in a process's argv. It never touches an initialised
// token. It exists for throwaway SoftHSM tokens (tests, `signbox demo`).
func InitFreeToken(modulePath, label string, soPIN, userPIN []byte) (TokenSummary, error) {
	if label == "" || len(label) > 32 {
		return TokenSummary{}, fmt.Errorf("token label %q: want 1 to 32 bytes", label)
	}
	if len(soPIN) == 0 || len(userPIN) == 0 {
		return TokenSummary{}, errors.New("init token: empty PIN")
	}
	m, err := acquireModule(modulePath)
	if err != nil {
		return TokenSummary{}, err
	}
	defer m.release()
	initTokenMu.Lock() // two inits must not pick the same free slot
	defer initTokenMu.Unlock()
	if _, err := m.selectToken(URI{Token: label}); err == nil {
		return TokenSummary{}, fmt.Errorf("init token: a token labelled %q already exists", label)
	} else if !errors.Is(err, ErrTokenNotFound) {
		return TokenSummary{}, err
	}
	slot, err := m.freeSlot()
	if err != nil {
		return TokenSummary{}, err
	}
	if err := m.ctx.InitToken(slot, string(soPIN), label); err != nil {
		return TokenSummary{}, fmt.Errorf("C_InitToken: %w", err)
	}
	if err := m.initUserPIN(slot, soPIN, userPIN); err != nil {
		return TokenSummary{}, err
	}
	return m.selectToken(URI{Token: label, ModulePath: modulePath})
}

var initTokenMu sync.Mutex

func (m *module) freeSlot() (uint, error) {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return 0, fmt.Errorf("C_GetSlotList: %w", err)
	}
	for _, s := range slots {
		ti, err := m.ctx.GetTokenInfo(s)
		if err != nil {
			return 0, fmt.Errorf("C_GetTokenInfo slot %d: %w", s, err)
		}
		if ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			return s, nil
		}
	}
	return 0, errors.New("init token: the module has no uninitialised token slot")
}

func (m *module) initUserPIN(slot uint, soPIN, userPIN []byte) error {
	sh, err := m.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("C_OpenSession: %w", err)
	}
	defer m.ctx.CloseSession(sh)
	if err := m.ctx.Login(sh, pkcs11.CKU_SO, string(soPIN)); err != nil {
		return fmt.Errorf("C_Login SO: %w", err)
	}
	defer m.ctx.Logout(sh)
	if err := m.ctx.InitPIN(sh, string(userPIN)); err != nil {
		return fmt.Errorf("C_InitPIN: %w", err)
	}
	return nil
}
