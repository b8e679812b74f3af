// Package hsmkeys is the appliance's audit MAC key ring: one
// non-extractable HMAC-SHA256 key per epoch inside a PKCS#11 token.
//
// The signbox hsm API can generate and use HMAC keys but can neither derive
// one key from another inside the token (CKM_SHA256_KEY_DERIVATION or
// HKDF) nor destroy one, so each epoch gets a freshly generated key,
// labelled "<prefix>.e<epoch>", and the old ones stay in the token. That
// keeps every epoch verifiable with the token, but it means someone holding
// the token and its PIN could re-MAC old entries: forward integrity rests
// on the signed checkpoints an auditor keeps, not on the MACs (see the
// residual risks in package audit).
package hsmkeys

import (
	"errors"
	"fmt"
	"hash"
	"sync"

	"signbox/audit"
	"signbox/hsm"
)

// Token is the part of *hsm.Token the key ring uses.
type Token interface {
	GenerateKey(label string, alg hsm.Algorithm, opts ...hsm.GenOption) (hsm.KeyInfo, error)
	HMAC(label string) (func() hash.Hash, error)
}

// Ring implements audit.KeyRing over a token.
type Ring struct {
	tok    Token
	prefix string
	mu     sync.Mutex
	macs   map[uint32]func() hash.Hash
}

var _ audit.KeyRing = (*Ring)(nil)

// New returns the key ring whose keys are labelled prefix (epoch 0) and
// prefix.e<epoch>.
func New(tok Token, prefix string) *Ring {
	return &Ring{tok: tok, prefix: prefix, macs: map[uint32]func() hash.Hash{}}
}

// Label returns the token label of an epoch's key.
func Label(prefix string, epoch uint32) string {
	if epoch == 0 {
		return prefix
	}
	return fmt.Sprintf("%s.e%d", prefix, epoch)
}

// MAC returns the epoch's HMAC; a key the token does not hold is
// audit.ErrNoKey.
func (r *Ring) MAC(epoch uint32) (func() hash.Hash, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.macs[epoch]; ok {
		return m, nil
	}
	m, err := r.tok.HMAC(Label(r.prefix, epoch))
	if errors.Is(err, hsm.ErrKeyNotFound) {
		return nil, fmt.Errorf("%s: %w", Label(r.prefix, epoch), audit.ErrNoKey)
	}
	if err != nil {
		return nil, err
	}
	r.macs[epoch] = m
	return m, nil
}

// StartEpoch generates the epoch's key. A key already under that label is
// either the provisioned epoch-0 key or one a crash left behind before the
// epoch's first entry was durable; it is used as is.
func (r *Ring) StartEpoch(epoch uint32) error {
	_, err := r.tok.GenerateKey(Label(r.prefix, epoch), hsm.HMACSHA256)
	if err != nil && !errors.Is(err, hsm.ErrLabelExists) {
		return fmt.Errorf("audit MAC key for epoch %d: %w", epoch, err)
	}
	return nil
}
