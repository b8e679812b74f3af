//go:build cgo

package hsm

import "github.com/miekg/pkcs11"

// session is every PKCS#11 call a Token makes once it is open; module-level
// calls (initialise, slots, login) stay on *pkcs11.Ctx. Keeping the list
// short documents what signbox needs from an HSM, and lets tests put a
// failing token call in front of the real SoftHSM one.
type session interface {
	OpenSession(slot uint, flags uint) (pkcs11.SessionHandle, error)
	CloseSession(sh pkcs11.SessionHandle) error
	FindObjectsInit(sh pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) error
	FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error)
	FindObjectsFinal(sh pkcs11.SessionHandle) error
	GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error)
	GenerateRandom(sh pkcs11.SessionHandle, length int) ([]byte, error)
	GenerateKey(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, tmpl []*pkcs11.Attribute) (pkcs11.ObjectHandle, error)
	GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, pub, priv []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error)
	SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error
	Sign(sh pkcs11.SessionHandle, message []byte) ([]byte, error)
	CreateObject(sh pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) (pkcs11.ObjectHandle, error)
	DestroyObject(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle) error
	DeriveKey(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, base pkcs11.ObjectHandle, tmpl []*pkcs11.Attribute) (pkcs11.ObjectHandle, error)
	SetPIN(sh pkcs11.SessionHandle, oldPIN, newPIN string) error
	WrapKey(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, wrapping, key pkcs11.ObjectHandle) ([]byte, error)
	UnwrapKey(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, unwrapping pkcs11.ObjectHandle, wrapped []byte, tmpl []*pkcs11.Attribute) (pkcs11.ObjectHandle, error)
}

var _ session = (*pkcs11.Ctx)(nil)
