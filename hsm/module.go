//go:build cgo

package hsm

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/miekg/pkcs11"
)

// A PKCS#11 library may be C_Initialize'd once per process and its login
// state is shared by every session of the process, so both are tracked here
// rather than per Token.
var (
	modulesMu sync.Mutex
	modules   = map[string]*module{}
)

type module struct {
	path  string // resolved path, the registry key
	ctx   *pkcs11.Ctx
	refs  int
	slots map[uint]*slotLogin // guarded by modulesMu
}

// slotLogin remembers who logged a slot in, so a second Open with a different
// PIN is refused instead of riding on the first login.
type slotLogin struct {
	refs   int
	pinMAC []byte
}

// pinKey keys the in-memory PIN comparison; it never leaves the process.
var pinKey = func() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}()

func pinMAC(pin []byte) []byte {
	m := hmac.New(sha256.New, pinKey)
	m.Write(pin)
	return m.Sum(nil)
}

// Available reports whether this build can use PKCS#11 at all; builds
// without cgo cannot (see nocgo.go).
func Available() error { return nil }

// acquireModule loads and initialises the library at path, or reuses it.
func acquireModule(path string) (*module, error) {
	if path == "" {
		return nil, errors.New("no PKCS#11 module: the URI needs module-path=/absolute/path/to/library.so")
	}
	resolved, err := checkModuleFile(path)
	if err != nil {
		return nil, err
	}
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m, ok := modules[resolved]; ok {
		m.refs++
		return m, nil
	}
	ctx := pkcs11.New(resolved)
	if ctx == nil {
		return nil, fmt.Errorf("PKCS#11 module %s: not a PKCS#11 library (dlopen failed or no C_GetFunctionList)", path)
	}
	if err := ctx.Initialize(); err != nil && !isRV(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		ctx.Destroy()
		return nil, fmt.Errorf("PKCS#11 module %s: C_Initialize: %w", path, err)
	}
	m := &module{path: resolved, ctx: ctx, refs: 1, slots: map[uint]*slotLogin{}}
	modules[resolved] = m
	return m, nil
}

func checkModuleFile(path string) (string, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("PKCS#11 module %s: %w", path, err)
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		return "", fmt.Errorf("PKCS#11 module %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("PKCS#11 module %s: not a regular file", path)
	}
	return resolved, nil
}

// release drops one reference; the last one finalises the library.
func (m *module) release() error {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	m.refs--
	if m.refs > 0 {
		return nil
	}
	delete(modules, m.path)
	err := m.ctx.Finalize()
	m.ctx.Destroy()
	if err != nil {
		return fmt.Errorf("PKCS#11 module %s: C_Finalize: %w", m.path, err)
	}
	return nil
}

// login logs the slot in through session sh, or, if this process already
// did, checks that pin is the PIN used then.
func (m *module) login(slot uint, sh pkcs11.SessionHandle, pin []byte) error {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	mac := pinMAC(pin)
	if s, ok := m.slots[slot]; ok {
		if !hmac.Equal(s.pinMAC, mac) {
			return fmt.Errorf("%w: differs from the PIN this process already logged in with", ErrPINIncorrect)
		}
		s.refs++
		return nil
	}
	if err := m.ctx.Login(sh, pkcs11.CKU_USER, string(pin)); err != nil {
		if isRV(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
			// Logged in by someone this package did not see, so the PIN
			// was never checked; refuse rather than trust it.
			return fmt.Errorf("token slot %d is already logged in outside this package; cannot verify the PIN: %w", slot, err)
		}
		return err
	}
	m.slots[slot] = &slotLogin{refs: 1, pinMAC: mac}
	return nil
}

// logoutRef drops a slot login reference; the last one logs out through
// sh. A login belongs to the application, not to a session, so without
// C_Logout a Token opened with OpenPublic would keep a quorum's login
// alive after the quorum's Token is closed.
func (m *module) logoutRef(slot uint, sh pkcs11.SessionHandle) {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if s, ok := m.slots[slot]; ok {
		s.refs--
		if s.refs == 0 {
			delete(m.slots, slot)
			m.ctx.Logout(sh)
		}
	}
}

// repin replaces the remembered PIN of a logged-in slot after C_SetPIN.
func (m *module) repin(slot uint, pin []byte) {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if s, ok := m.slots[slot]; ok {
		s.pinMAC = pinMAC(pin)
	}
}

// ModuleLoaded reports whether this process has the library at path
// initialised right now. SoftHSM reads SOFTHSM2_CONF only at C_Initialize, so
// package softhsm uses this to refuse to init a token into the wrong place.
func ModuleLoaded(path string) bool {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	modulesMu.Lock()
	defer modulesMu.Unlock()
	_, ok := modules[resolved]
	return ok
}

// isRV reports whether err is the PKCS#11 return value rv.
func isRV(err error, rv uint) bool {
	var pe pkcs11.Error
	return errors.As(err, &pe) && uint(pe) == rv
}
