//go:build cgo

package hsm

import (
	"crypto/sha256"
	"fmt"
	"hash"

	"github.com/miekg/pkcs11"
)

// HMAC returns a constructor of HMAC-SHA256 hashes keyed by the secret key
// labelled label. The key never leaves the token.
//
// Written data is buffered and MACed in one C_Sign when Sum is called, so
// Sum can be called repeatedly, as hash.Hash requires, without a streaming
// session staying open between Writes. hash.Hash has no error return: Sum
// panics if the token fails; call (*MAC).SumErr to get the error instead.
func (t *Token) HMAC(label string) (func() hash.Hash, error) {
	if err := t.needLogin("HMAC key " + label); err != nil {
		return nil, err
	}
	k, err := t.find(pkcs11.CKA_LABEL, []byte(label))
	if err != nil {
		return nil, err
	}
	if k.Unusable != "" {
		return nil, fmt.Errorf("key %q cannot be used: %s", label, k.Unusable)
	}
	if k.Algorithm != HMACSHA256 {
		return nil, fmt.Errorf("key %q is an %s key, not an HMAC key", label, k.Algorithm)
	}
	if err := t.need(pkcs11.CKM_SHA256_HMAC); err != nil {
		return nil, err
	}
	return func() hash.Hash { return &MAC{t: t, key: k} }, nil
}

// MAC is an HMAC-SHA256 computed by the token. It implements hash.Hash.
type MAC struct {
	t   *Token
	key keyRef
	buf []byte
}

func (m *MAC) Write(p []byte) (int, error) { m.buf = append(m.buf, p...); return len(p), nil }
func (m *MAC) Reset()                      { m.buf = m.buf[:0] }
func (m *MAC) Size() int                   { return sha256.Size }
func (m *MAC) BlockSize() int              { return sha256.BlockSize }

// Sum appends the MAC of the data written so far to b. It panics if the
// token fails; see SumErr.
func (m *MAC) Sum(b []byte) []byte {
	out, err := m.SumErr(b)
	if err != nil {
		panic(fmt.Sprintf("hsm: HMAC key %q: %v", m.key.Label, err))
	}
	return out
}

// SumErr is Sum returning the token's error instead of panicking.
func (m *MAC) SumErr(b []byte) ([]byte, error) {
	var mac []byte
	err := m.t.pool.with(func(sh pkcs11.SessionHandle) error {
		mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_SHA256_HMAC, nil)}
		if err := m.t.ctx.SignInit(sh, mech, m.key.handle); err != nil {
			return fmt.Errorf("C_SignInit CKM_SHA256_HMAC: %w", err)
		}
		var err error
		mac, err = m.t.ctx.Sign(sh, m.buf)
		if err != nil {
			return fmt.Errorf("C_Sign CKM_SHA256_HMAC: %w", err)
		}
		return nil
	})
	return append(b, mac...), err
}
