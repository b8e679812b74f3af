//go:build !cgo

package hsm

import (
	"crypto"
	"crypto/ecdh"
	"errors"
	"hash"
	"io"
)

// This file keeps signbox building (go vet, staticcheck, the TUI, cross
// compiles) where cgo is off. miekg/pkcs11 loads the PKCS#11 library through
// cgo, so without cgo every HSM call reports errNoCgo.

var errNoCgo = errors.New("this signbox was built without cgo (CGO_ENABLED=0); PKCS#11 needs a cgo build")

// Available reports why this build cannot use PKCS#11.
func Available() error { return errNoCgo }

// Token is an open, logged-in PKCS#11 token; without cgo none can be opened.
type Token struct{}

func Open(uri string, pin PINFunc) (*Token, error)         { return nil, errNoCgo }
func ListTokens(modulePath string) ([]TokenSummary, error) { return nil, errNoCgo }
func ModuleLoaded(path string) bool                        { return false }
func InitFreeToken(modulePath, label string, soPIN, userPIN []byte) (TokenSummary, error) {
	return TokenSummary{}, errNoCgo
}

func (t *Token) Info() TokenSummary                   { return TokenSummary{} }
func (t *Token) Close() error                         { return nil }
func (t *Token) Key(label string) (KeyInfo, error)    { return KeyInfo{}, errNoCgo }
func (t *Token) KeyByID(id []byte) (KeyInfo, error)   { return KeyInfo{}, errNoCgo }
func (t *Token) Keys() ([]KeyInfo, error)             { return nil, errNoCgo }
func (t *Token) Signer(string) (crypto.Signer, error) { return nil, errNoCgo }
func (t *Token) SignerByID([]byte) (crypto.Signer, error) {
	return nil, errNoCgo
}
func (t *Token) PinnedSigner(label, fingerprint string) (crypto.Signer, error) {
	return nil, errNoCgo
}
func (t *Token) HMAC(label string) (func() hash.Hash, error) { return nil, errNoCgo }
func (t *Token) Rand() io.Reader                             { return failingReader{} }
func (t *Token) GenerateKey(label string, alg Algorithm, opts ...GenOption) (KeyInfo, error) {
	return KeyInfo{}, errNoCgo
}

func OpenPublic(uri string) (*Token, error)                   { return nil, errNoCgo }
func SetSOPIN(uri string, oldSO, newSO []byte) error          { return errNoCgo }
func InitUserPIN(uri string, soPIN, userPIN []byte) error     { return errNoCgo }
func (t *Token) PublicKeys() ([]KeyInfo, error)               { return nil, errNoCgo }
func (t *Token) PutData(string, []byte, bool) error           { return errNoCgo }
func (t *Token) Data(string, bool) ([][]byte, error)          { return nil, errNoCgo }
func (t *Token) SetUserPIN(oldPIN, newPIN []byte) error       { return errNoCgo }
func (t *Token) GenerateAgreementKey(string) (KeyInfo, error) { return KeyInfo{}, errNoCgo }
func (t *Token) AgreementPublic(string) (*ecdh.PublicKey, error) {
	return nil, errNoCgo
}
func (t *Token) ECDH(string, *ecdh.PublicKey) ([]byte, error) { return nil, errNoCgo }

func (t *Token) ImportWrapKey(string, []byte) (func() error, error) { return nil, errNoCgo }
func (t *Token) WrapKey(string, string) ([]byte, error)             { return nil, errNoCgo }
func (t *Token) UnwrapKey(string, []byte, KeyInfo, crypto.PublicKey) (KeyInfo, error) {
	return KeyInfo{}, errNoCgo
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errNoCgo }

// MAC is an HMAC-SHA256 computed by the token; without cgo there is none.
type MAC struct{}

func (m *MAC) Write(p []byte) (int, error)     { return 0, errNoCgo }
func (m *MAC) Reset()                          {}
func (m *MAC) Size() int                       { return 32 }
func (m *MAC) BlockSize() int                  { return 64 }
func (m *MAC) Sum(b []byte) []byte             { panic(errNoCgo) }
func (m *MAC) SumErr(b []byte) ([]byte, error) { return nil, errNoCgo }
func (t *Token) Lacks(Algorithm) string        { return errNoCgo.Error() }
func (t *Token) Check(a Algorithm) CheckResult {
	return CheckResult{Algorithm: a, Error: errNoCgo.Error()}
}
func (t *Token) Features() []Feature { return nil }
