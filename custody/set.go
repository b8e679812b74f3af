package custody

import (
	"crypto"
	"crypto/ecdh"
	"errors"
	"fmt"
	"strconv"

	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/secretsharing"

	"signbox/airgap/envelope"
)

// Set is a verified share-set manifest: signed by the pinned appliance
// key, strictly parsed, in canonical form and within limits.go. Obtain one
// with OpenSet; the zero value is not a valid set. A Set holds no secret
// and does not change once opened, so it is safe for concurrent use.
type Set struct {
	hdr         SetHeader
	id          string
	commitments []group.Element // g^a_0 ... g^a_{t-1}; commitments[0] = g^secret
	shares      []sealedShare   // in manifest order; shares[i].index == i+1
}

// sealedShare is one holder's entry in the manifest.
type sealedShare struct {
	holder    string
	index     int
	key       *ecdh.PublicKey // the custodian's share key
	ephemeral *ecdh.PublicKey
	sealed    []byte // AES-256-GCM ciphertext and tag
}

// OpenSet verifies a share-set envelope under verifier (the appliance's
// pinned public key) and parses its manifest. It does not check that the
// set is for this appliance and policy: call CheckFor for that.
func OpenSet(env []byte, verifier crypto.PublicKey) (*Set, error) {
	if len(env) > MaxEnvelopeSize {
		return nil, fmt.Errorf("custody: %w", invalid("manifest is %d bytes; the limit is %d", len(env), MaxEnvelopeSize))
	}
	if verifier == nil {
		return nil, errors.New("custody: open share set: no appliance key to verify with")
	}
	payload, _, err := envelope.Open(env, PayloadType, verifier)
	if errors.Is(err, envelope.ErrNoValidSignature) {
		id, _ := envelope.KeyID(verifier)
		return nil, fmt.Errorf("custody: %w: not signed by the appliance key %s: %w", ErrBadSignature, id, err)
	}
	if err != nil {
		return nil, fmt.Errorf("custody: %w: %w", ErrInvalidSet, err)
	}
	s, err := parseManifest(payload)
	if err != nil {
		return nil, fmt.Errorf("custody: %w", err)
	}
	return s, nil
}

// Header returns what the set was made for.
func (s *Set) Header() SetHeader { return s.hdr }

// ID returns the set id: 32 lowercase hex characters.
func (s *Set) ID() string { return s.id }

// Holders returns the holders' names in manifest order.
func (s *Set) Holders() []string {
	names := make([]string, len(s.shares))
	for i, sh := range s.shares {
		names[i] = sh.holder
	}
	return names
}

// CheckFor refuses the set unless it was made for this appliance and the
// policy in force (serial and digest), naming every field that differs.
func (s *Set) CheckFor(appliance string, policySerial uint64, policyDigest string) error {
	var ms []Mismatch
	if s.hdr.Appliance != appliance {
		ms = append(ms, Mismatch{Field: "appliance", InSet: s.hdr.Appliance, Want: appliance})
	}
	if s.hdr.PolicySerial != policySerial {
		ms = append(ms, Mismatch{Field: "policy serial",
			InSet: strconv.FormatUint(s.hdr.PolicySerial, 10), Want: strconv.FormatUint(policySerial, 10)})
	}
	if s.hdr.PolicyDigest != policyDigest {
		ms = append(ms, Mismatch{Field: "policy digest", InSet: s.hdr.PolicyDigest, Want: policyDigest})
	}
	if len(ms) > 0 {
		return &MismatchError{Set: s.id, Mismatches: ms}
	}
	return nil
}

// Unseal decrypts name's share with that custodian's token and checks it
// against the Feldman commitments before returning it. It refuses a token
// holding another key before asking it for anything.
func (s *Set) Unseal(name string, key ShareKey) (*Share, error) {
	sh, err := s.find(name)
	if err != nil {
		return nil, err
	}
	ue := &UnsealError{Holder: name, Set: s.id, Index: sh.index, SealedTo: fingerprint(sh.key)}
	if key == nil {
		ue.Err = errors.New("no token given")
		return nil, ue
	}
	if pub := key.Public(); pub == nil || !pub.Equal(sh.key) {
		ue.TokenKey = tokenFingerprint(pub)
		return nil, ue
	}
	value, err := s.context(sh).open(key, sh.ephemeral, sh.sealed)
	if err != nil {
		ue.Err = err
		return nil, ue
	}
	share := &Share{holder: name, setID: s.id, appliance: s.hdr.Appliance, index: sh.index, value: value}
	if err := s.verify(share); err != nil {
		share.Wipe()
		return nil, err
	}
	return share, nil
}

func (s *Set) find(name string) (*sealedShare, error) {
	for i := range s.shares {
		if s.shares[i].holder == name {
			return &s.shares[i], nil
		}
	}
	return nil, &NotHolderError{Set: s.id, Name: name, Holders: s.Holders()}
}

func (s *Set) context(sh *sealedShare) *shareContext {
	return &shareContext{hdr: s.hdr, setID: s.id, holders: len(s.shares),
		holder: sh.holder, index: sh.index, key: sh.key}
}

// verify is the Feldman check: g^value must equal the commitments'
// polynomial evaluated at the share's index.
func (s *Set) verify(sh *Share) error {
	v, err := scalarFromBytes(sh.value)
	if err != nil {
		return &CommitmentError{Holder: sh.holder, Set: s.id}
	}
	defer wipeScalar(v)
	id := curve.NewScalar().SetUint64(uint64(sh.index))
	ok := secretsharing.Verify(uint(s.hdr.Threshold-1), secretsharing.Share{ID: id, Value: v}, s.commitments)
	if !ok {
		return &CommitmentError{Holder: sh.holder, Set: s.id}
	}
	return nil
}

func tokenFingerprint(pub *ecdh.PublicKey) string {
	if pub == nil {
		return "no key"
	}
	return fingerprint(pub)
}

// Share is one custodian's decrypted, Feldman-verified share. It lives in
// RAM only; Wipe it (or the Collector holding it) when done.
type Share struct {
	holder    string
	setID     string
	appliance string
	index     int
	value     []byte // big-endian P-256 scalar
	wiped     bool
}

// Holder is the custodian the share belongs to.
func (sh *Share) Holder() string { return sh.holder }

// SetID is the set the share belongs to.
func (sh *Share) SetID() string { return sh.setID }

// Index is the share's x-coordinate, 1 to the number of holders.
func (sh *Share) Index() int { return sh.index }

// Wipe zeroes the share value; a nil Share is ignored.
func (sh *Share) Wipe() {
	if sh == nil {
		return
	}
	clear(sh.value)
	sh.wiped = true
}
