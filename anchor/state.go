package anchor

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"signbox/airgap/envelope"
	"signbox/airgap/strictjson"
)

// PayloadType is the DSSE payload type of an anchor envelope; no other
// statement signed by the same key can be mistaken for one.
const PayloadType = "application/vnd.signbox.anchor+json"

// Format is the only anchor format this build reads.
const Format = "signbox-anchor/v1"

// State is the quorum-decided state of one appliance.
type State struct {
	Format    string `json:"format"`
	Appliance string `json:"appliance"`
	// Counter increases by one with every anchor written; the paper log
	// records it at every ceremony.
	Counter uint64 `json:"counter"`
	// GenesisPolicy is the digest of the policy the appliance was
	// initialised with; it never changes.
	GenesisPolicy string `json:"genesis_policy"`
	Policy        Policy `json:"policy"`
	// Floors is each product's last released security version.
	Floors map[string]Floor `json:"floors"`
	// Closed lists ceremonies that must never be signed again: signed
	// (whether or not exported) and aborted ones. Sorted, no duplicates.
	Closed []string `json:"closed"`
	Audit  Audit    `json:"audit"`
	// ShareSet is the id of the custody share set in force.
	ShareSet string `json:"share_set"`
}

// Policy names the policy in force.
type Policy struct {
	Serial uint64 `json:"serial"`
	Digest string `json:"digest"`
}

// Floor is the security version a product was last released at, and by
// which ceremony.
type Floor struct {
	SecurityVersion uint32 `json:"security_version"`
	Ceremony        string `json:"ceremony"`
}

// Audit is the audit log's head when the anchor was written: nothing may
// ever make the log shorter than Size or change its first Size entries.
type Audit struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"` // base64 RFC 6962 root hash at Size, as in a checkpoint
}

var (
	digestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	idPattern     = regexp.MustCompile(`^[0-9]{4,}-[a-z-]+$`)
)

// Sign returns the DSSE envelope of s signed by signer.
func (s State) Sign(signer crypto.Signer) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	env, err := envelope.Sign(signer, PayloadType, b)
	if err != nil {
		return nil, fmt.Errorf("sign anchor: %w", err)
	}
	if len(env) > MaxEnvelope {
		return nil, fmt.Errorf("anchor of %d bytes exceeds %d", len(env), MaxEnvelope)
	}
	return env, nil
}

// Open verifies an anchor envelope against the appliance's key and parses
// it strictly.
func Open(env []byte, key crypto.PublicKey) (State, error) {
	if len(env) > MaxEnvelope {
		return State{}, fmt.Errorf("anchor of %d bytes exceeds %d", len(env), MaxEnvelope)
	}
	payload, _, err := envelope.Open(env, PayloadType, key)
	if err != nil {
		return State{}, fmt.Errorf("anchor: %w", err)
	}
	return Parse(payload)
}

// Parse decodes an anchor payload strictly (unknown fields refused) and
// validates it.
func Parse(payload []byte) (State, error) {
	var s State
	if err := strictjson.Decode(payload, &s); err != nil {
		return State{}, fmt.Errorf("anchor: %w", err)
	}
	return s, s.validate()
}

func (s State) validate() error {
	switch {
	case s.Format != Format:
		return fmt.Errorf("anchor: format %q, want %q", s.Format, Format)
	case s.Appliance == "":
		return errors.New("anchor: appliance id is empty")
	case s.Counter == 0:
		return errors.New("anchor: counter must be 1 or more")
	case !digestPattern.MatchString(s.GenesisPolicy):
		return fmt.Errorf("anchor: genesis_policy %q is not sha256:<hex>", s.GenesisPolicy)
	case !digestPattern.MatchString(s.Policy.Digest) || s.Policy.Serial == 0:
		return fmt.Errorf("anchor: policy serial %d digest %q", s.Policy.Serial, s.Policy.Digest)
	case len(s.Floors) > MaxProducts:
		return fmt.Errorf("anchor: %d products exceed %d", len(s.Floors), MaxProducts)
	case len(s.Closed) > MaxClosed:
		return fmt.Errorf("anchor: %d closed ceremonies exceed %d", len(s.Closed), MaxClosed)
	case s.Audit.Size < 0:
		return errors.New("anchor: negative audit size")
	}
	for i, id := range s.Closed {
		if !idPattern.MatchString(id) || (i > 0 && s.Closed[i-1] >= id) {
			return fmt.Errorf("anchor: closed[%d] %q is not a sorted, unique ceremony id", i, id)
		}
	}
	return nil
}

// Next returns a copy of s with the counter raised, ready for changes.
func (s State) Next() State {
	n := s
	n.Counter++
	n.Floors = make(map[string]Floor, len(s.Floors))
	for k, v := range s.Floors {
		n.Floors[k] = v
	}
	n.Closed = slices.Clone(s.Closed)
	return n
}

// Close adds ceremony id to the closed list, keeping it sorted.
func (s *State) Close(id string) {
	i, found := slices.BinarySearch(s.Closed, id)
	if !found {
		s.Closed = slices.Insert(s.Closed, i, id)
	}
}

// IsClosed reports whether ceremony id must never be signed again.
func (s State) IsClosed(id string) bool {
	_, found := slices.BinarySearch(s.Closed, id)
	return found
}
