package custody

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/group"
	"golang.org/x/crypto/hkdf"
)

// curve is the prime-order group of format version 1: the secret and the
// share values are P-256 scalars, the commitments P-256 points.
var curve = group.P256

// HKDF info strings: each derived value has its own, so no two are related.
const (
	infoUserPIN   = "signbox appliance user PIN v1"
	infoSOPIN     = "signbox appliance SO PIN v1"
	infoBackupKey = "signbox backup wrap key v1"
)

// maxScalarTries bounds the rejection sampling of random scalars. A
// uniform 32-byte string is a valid non-zero P-256 scalar except with
// probability about 2^-32, so failing eight times in a row means the random
// source is broken (stuck at zero or at all ones), not unlucky.
const maxScalarTries = 8

var errBrokenRand = errors.New("random source gave no valid P-256 scalar in 8 tries; it is broken")

// Secret is the quorum secret: a non-zero P-256 scalar from which the
// appliance token's PINs and the backup wrap key are derived. It exists
// only in RAM: made by NewSecret for Split, or rebuilt by
// Collector.Combine. Call Wipe as soon as the PINs have been used.
//
// A Secret is not safe for concurrent use. Deriving from a wiped or zero
// Secret panics: it must never silently become a PIN of nothing.
type Secret struct {
	key   []byte // big-endian scalar, scalarSize bytes
	wiped bool
}

// NewSecret draws a fresh secret from rand (the appliance token's RNG in
// production).
func NewSecret(rand io.Reader) (*Secret, error) {
	key, err := randomScalarBytes(rand)
	if err != nil {
		return nil, fmt.Errorf("custody: draw secret: %w", err)
	}
	return &Secret{key: key}, nil
}

// randomScalarBytes draws a uniformly random non-zero P-256 scalar from
// rand by rejection sampling (no arithmetic: out-of-range draws are
// discarded). The caller owns and wipes the result.
func randomScalarBytes(rand io.Reader) ([]byte, error) {
	buf := make([]byte, scalarSize)
	for range maxScalarTries {
		if _, err := io.ReadFull(rand, buf); err != nil {
			clear(buf)
			return nil, err
		}
		if validScalar(buf) {
			return buf, nil
		}
	}
	clear(buf)
	return nil, errBrokenRand
}

// validScalar reports whether b encodes a non-zero scalar below the order.
func validScalar(b []byte) bool {
	sc, err := scalarFromBytes(b)
	if err != nil {
		return false
	}
	defer wipeScalar(sc)
	return !sc.IsZero()
}

// UserPIN is the appliance token's CKU_USER PIN: 64 lowercase hex
// characters of HKDF-SHA256(secret, info "signbox appliance user PIN v1").
// Each call returns a new slice; the caller wipes it after C_Login.
func (s *Secret) UserPIN() []byte { return s.hexPIN(infoUserPIN) }

// SOPIN is the appliance token's CKU_SO PIN, derived like UserPIN with
// info "signbox appliance SO PIN v1".
func (s *Secret) SOPIN() []byte { return s.hexPIN(infoSOPIN) }

// BackupKey is the 32-byte backup wrap key (AES-256), HKDF-SHA256 of the
// secret with info "signbox backup wrap key v1". New slice each call.
func (s *Secret) BackupKey() []byte { return s.derive(infoBackupKey) }

// Wipe zeroes the secret; a nil Secret is ignored, so a deferred Wipe is
// safe after a failed Combine. See the package doc for what it cannot reach.
func (s *Secret) Wipe() {
	if s == nil {
		return
	}
	clear(s.key)
	s.wiped = true
}

func (s *Secret) hexPIN(info string) []byte {
	raw := s.derive(info)
	defer clear(raw)
	pin := make([]byte, hex.EncodedLen(len(raw)))
	hex.Encode(pin, raw)
	return pin
}

// derive returns 32 bytes of HKDF-SHA256(secret, no salt, info).
func (s *Secret) derive(info string) []byte {
	s.mustLive()
	out := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, s.key, nil, []byte(info)), out); err != nil {
		panic("custody: HKDF-SHA256 cannot fail for 32 bytes: " + err.Error())
	}
	return out
}

// live reports whether s holds a secret: not nil, not a zero Secret{}
// (which would otherwise derive PINs from nothing), not wiped.
func (s *Secret) live() bool {
	return s != nil && !s.wiped && len(s.key) == scalarSize
}

func (s *Secret) mustLive() {
	if !s.live() {
		panic("custody: Secret is wiped or was not made by NewSecret or Combine")
	}
}

// scalar returns the secret as a circl scalar; the caller wipes it.
func (s *Secret) scalar() (group.Scalar, error) {
	if !s.live() {
		return nil, fmt.Errorf("secret is wiped or was not made by NewSecret or Combine: %w", ErrWiped)
	}
	return scalarFromBytes(s.key)
}

// scalarFromBytes parses a big-endian scalar, refusing values >= the order.
func scalarFromBytes(b []byte) (group.Scalar, error) {
	sc := curve.NewScalar()
	if err := sc.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return sc, nil
}

// scalarBytes marshals sc; the caller owns (and wipes) the result.
func scalarBytes(sc group.Scalar) []byte {
	b, err := sc.MarshalBinary()
	if err != nil {
		panic("custody: marshal P-256 scalar: " + err.Error())
	}
	return b
}

// wipeScalar zeroes sc's own buffer in place. CMov copies into the
// existing bytes; SetUint64 and Set would allocate a new buffer and leave
// the old one behind.
func wipeScalar(sc group.Scalar) {
	if sc != nil {
		sc.CMov(1, curve.NewScalar())
	}
}

// wipeScalars wipes each scalar in scs.
func wipeScalars(scs ...group.Scalar) {
	for _, sc := range scs {
		wipeScalar(sc)
	}
}
