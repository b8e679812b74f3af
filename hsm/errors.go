package hsm

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Test for them with errors.Is; the wrapping error says which
// token, key or mechanism was involved.
var (
	// ErrTokenNotFound: no initialised token matches the URI.
	ErrTokenNotFound = errors.New("token not found")
	// ErrPINIncorrect: the token rejected the PIN. Retrying may lock it.
	ErrPINIncorrect = errors.New("incorrect PIN")
	// ErrPINLocked: too many wrong PINs; the security officer must reset it.
	ErrPINLocked = errors.New("PIN locked")
	// ErrKeyNotFound: no key with that label or id.
	ErrKeyNotFound = errors.New("key not found")
	// ErrLabelExists: GenerateKey was asked for a label already on the token.
	ErrLabelExists = errors.New("label already exists")
	// ErrMechanismUnsupported: the token does not offer a mechanism we need.
	ErrMechanismUnsupported = errors.New("mechanism not supported by token")
	// ErrFingerprintMismatch: a key's public half differs from the pinned one.
	ErrFingerprintMismatch = errors.New("public key fingerprint mismatch")
	// ErrObjectNotFound: no data object with that label.
	ErrObjectNotFound = errors.New("data object not found")
	// ErrNotLoggedIn: the Token was opened with OpenPublic and the
	// operation needs a login.
	ErrNotLoggedIn = errors.New("token opened without login")
)

// TokenNotFoundError lists what the module does offer, so the operator can
// fix a typo without another tool.
type TokenNotFoundError struct {
	Want      string   // the selector from the URI, e.g. `token="release"`
	Available []string // one line per initialised token
}

func (e *TokenNotFoundError) Error() string {
	if len(e.Available) == 0 {
		return fmt.Sprintf("no token matches %s: the module offers no initialised tokens", e.Want)
	}
	return fmt.Sprintf("no token matches %s; tokens offered: %s", e.Want, strings.Join(e.Available, ", "))
}

func (e *TokenNotFoundError) Unwrap() error { return ErrTokenNotFound }

// MechanismError names the mechanism a token lacks.
type MechanismError struct {
	Mechanism string // e.g. "CKM_EC_EDWARDS_KEY_PAIR_GEN"
	Token     string
}

func (e *MechanismError) Error() string {
	return fmt.Sprintf("token %q does not offer %s", e.Token, e.Mechanism)
}

func (e *MechanismError) Unwrap() error { return ErrMechanismUnsupported }

// FingerprintError reports a pinned-key mismatch with both values.
type FingerprintError struct {
	Label, Want, Got string
}

func (e *FingerprintError) Error() string {
	return fmt.Sprintf("key %q: public key is %s, pinned %s", e.Label, e.Got, e.Want)
}

func (e *FingerprintError) Unwrap() error { return ErrFingerprintMismatch }
