package custody

import (
	"crypto"
	"crypto/ecdh"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/secretsharing"

	"signbox/airgap/envelope"
)

// Holder is a custodian and the public half of their token's share key.
type Holder struct {
	Name string
	Key  *ecdh.PublicKey
}

// SetHeader says what a share set is for. Every sealed share is bound to
// all of it (see doc.go), and Set.CheckFor compares it with the appliance
// and policy in force.
type SetHeader struct {
	Appliance    string // appliance id (opaque string, e.g. 32 hex chars)
	PolicySerial uint64
	PolicyDigest string // "sha256:<hex>" of the policy this set was made for
	Threshold    int
}

// Split makes a share set for s: a fresh set id (SetIDSize random bytes,
// hex), Threshold Feldman commitments, and one share per holder, in the
// order given, sealed to that holder's share key. It returns the manifest
// as a DSSE envelope signed by signer (the appliance's pinned key; an HSM
// crypto.Signer in production), after checking that the envelope opens
// under signer.Public().
//
// rand supplies the set id, the polynomial and the ephemeral keys; pass
// the appliance token's RNG. s is not wiped: the caller still needs its
// PINs to set them on the token, and wipes it afterwards.
func Split(rand io.Reader, s *Secret, hdr SetHeader, holders []Holder, signer crypto.Signer) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("custody: split: no signer")
	}
	set, err := newSet(rand, hdr, holders)
	if err != nil {
		return nil, fmt.Errorf("custody: split: %w", err)
	}
	values, err := set.deal(rand, s)
	defer wipeAll(values)
	if err != nil {
		return nil, fmt.Errorf("custody: split: %w", err)
	}
	if err := set.sealAll(rand, values); err != nil {
		return nil, fmt.Errorf("custody: split: %w", err)
	}
	return set.sign(signer)
}

// newSet validates the header and holders and draws the set id.
func newSet(rand io.Reader, hdr SetHeader, holders []Holder) (*Set, error) {
	if err := checkHeader(hdr, len(holders)); err != nil {
		return nil, err
	}
	set := &Set{hdr: hdr, shares: make([]sealedShare, len(holders))}
	for i, h := range holders {
		set.shares[i] = sealedShare{holder: h.Name, index: i + 1, key: h.Key}
	}
	if err := checkHolders(set.shares); err != nil {
		return nil, err
	}
	id := make([]byte, SetIDSize)
	if _, err := io.ReadFull(rand, id); err != nil {
		return nil, fmt.Errorf("read random set id: %w", err)
	}
	set.id = hex.EncodeToString(id)
	return set, nil
}

// deal splits s over the set's holders: it fills in the commitments and
// returns each holder's share value (big-endian scalar), which the caller
// wipes. Like a signature, the result is checked before it is used: the
// commitments must open to s and every share must pass the Feldman check.
func (set *Set) deal(rand io.Reader, s *Secret) ([][]byte, error) {
	sc, err := s.scalar()
	if err != nil {
		return nil, err
	}
	defer wipeScalar(sc)
	ss, err := newSharing(rand, set.hdr.Threshold, sc)
	if err != nil {
		return nil, err
	}
	set.commitments = ss.CommitSecret()
	if len(set.commitments) != set.hdr.Threshold || !curve.NewElement().MulGen(sc).IsEqual(set.commitments[0]) {
		// A zero top coefficient (probability 2^-256) lowers the degree,
		// so fewer shares would rebuild the secret.
		return nil, errors.New("degenerate polynomial or commitments; split again")
	}
	values := make([][]byte, len(set.shares))
	for i, sh := range ss.Share(uint(len(set.shares))) {
		ok := secretsharing.Verify(uint(set.hdr.Threshold-1), sh, set.commitments)
		values[i] = scalarBytes(sh.Value)
		wipeScalars(sh.Value, sh.ID)
		if !ok {
			return values, fmt.Errorf("share %d fails its own Feldman check", i+1)
		}
	}
	return values, nil
}

// newSharing runs secretsharing.New with threshold-1 as circl's t (it
// counts the shares that reveal nothing). circl panics when the reader
// fails while it samples coefficients; that failure comes back as an
// error here, and any other panic goes on.
func newSharing(rand io.Reader, threshold int, secret group.Scalar) (ss secretsharing.SecretSharing, err error) {
	r := &recordingReader{r: rand}
	defer func() {
		if r.err == nil {
			return
		}
		if p := recover(); p != nil {
			err = fmt.Errorf("read random polynomial coefficients: %w", r.err)
		}
	}()
	return secretsharing.New(r, uint(threshold-1), secret), nil
}

// recordingReader remembers the first error of the reader it wraps.
type recordingReader struct {
	r   io.Reader
	err error
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && r.err == nil {
		r.err = err
	}
	return n, err
}

// sealAll seals values[i] to holder i.
func (set *Set) sealAll(rand io.Reader, values [][]byte) error {
	for i := range set.shares {
		sh := &set.shares[i]
		eph, sealed, err := set.context(sh).seal(rand, values[i])
		if err != nil {
			return err
		}
		sh.ephemeral, sh.sealed = eph, sealed
	}
	return nil
}

// sign wraps the manifest in a DSSE envelope and reopens it under the
// signer's public key, so a set that could not be read back is never
// handed out.
func (set *Set) sign(signer crypto.Signer) ([]byte, error) {
	payload, err := set.marshal()
	if err != nil {
		return nil, fmt.Errorf("custody: split: %w", err)
	}
	env, err := envelope.Sign(signer, PayloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("custody: sign share set %s: %w", set.id, err)
	}
	if _, err := OpenSet(env, signer.Public()); err != nil {
		return nil, fmt.Errorf("custody: share set %s does not read back: %w", set.id, err)
	}
	return env, nil
}

func wipeAll(bufs [][]byte) {
	for _, b := range bufs {
		clear(b)
	}
}
