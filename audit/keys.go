package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"sync"
)

// MACKeys hands out the HMAC-SHA256 key of each epoch as a hash
// constructor, so the key itself may stay inside an HSM
// ((*hsm.Token).HMAC has exactly this shape). Verifiers need only this.
type MACKeys interface {
	// MAC returns the HMAC-SHA256 constructor for epoch, or an error
	// wrapping ErrNoKey.
	MAC(epoch uint32) (func() hash.Hash, error)
}

// KeyRing is what a writing log needs: MAC keys plus the ability to start
// a new epoch. StartEpoch(e) makes the key of epoch e usable and, where
// the implementation can, retires the key of epoch e-1 so that whoever
// takes the appliance later cannot re-MAC older entries.
type KeyRing interface {
	MACKeys
	StartEpoch(epoch uint32) error
}

// DerivedKeys is a software key ring with forward integrity in the style
// of Schneier and Kelsey: K_0 is the seed and K_{e+1} = HMAC-SHA256(K_e,
// "signbox-audit-epoch-v1" ‖ e+1). It keeps only the current key, so
// epochs before it cannot be MACed any more. A verifier holding the seed
// (escrowed with the auditor) builds its own DerivedKeys and walks forward.
//
// It is for the device emulator and tests; the appliance keeps its keys in
// the HSM (see package hsmkeys).
type DerivedKeys struct {
	mu    sync.Mutex
	epoch uint32
	key   []byte
}

const epochDomain = "signbox-audit-epoch-v1"

// NewDerivedKeys starts a key ring at epoch 0 with a copy of seed, which
// must be at least 32 bytes.
func NewDerivedKeys(seed []byte) (*DerivedKeys, error) {
	if len(seed) < 32 {
		return nil, fmt.Errorf("derived keys: seed is %d bytes, need at least 32", len(seed))
	}
	return &DerivedKeys{key: append([]byte(nil), seed...)}, nil
}

// MAC returns the key of epoch, deriving forward (and forgetting) as
// needed. Epochs before the current one are gone: ErrNoKey.
func (d *DerivedKeys) MAC(epoch uint32) (func() hash.Hash, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if epoch < d.epoch {
		return nil, fmt.Errorf("epoch %d (current %d): %w", epoch, d.epoch, ErrNoKey)
	}
	for d.epoch < epoch {
		d.step()
	}
	key := append([]byte(nil), d.key...)
	return func() hash.Hash { return hmac.New(sha256.New, key) }, nil
}

// StartEpoch derives forward to epoch and forgets the keys before it.
func (d *DerivedKeys) StartEpoch(epoch uint32) error {
	_, err := d.MAC(epoch)
	return err
}

func (d *DerivedKeys) step() {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(epochDomain))
	m.Write(binary.BigEndian.AppendUint32(nil, d.epoch+1))
	next := m.Sum(nil)
	clear(d.key)
	d.key = next
	d.epoch++
}
