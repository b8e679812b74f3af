package custody

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/hkdf"
)

// A Rotation links the secret of one share set to the secret of the set
// that replaces it, for the few steps of a rotation that no storage can
// make atomic: a new share set written, the token's user PIN changed, the
// new set put in place, the SO PIN changed after the user logs out. A
// power cut between two of them leaves a token whose PIN belongs to one
// set while the workspace offers the other, or an SO PIN that still
// follows the old secret.
//
// The link is written (as a public object on the appliance token) before
// the first PIN changes and destroyed once the SO PIN has followed.
// Forward opens the new secret with the old one (the quorum of the old
// set, interrupted before the new set was in place, can still log in);
// Backward opens the old secret with the new one (the quorum of the new
// set finishes moving the SO PIN). Neither opens without a quorum of one
// of the two sets, which is who could open the token anyway.
type Rotation struct {
	From, To  string // share set ids
	fwd, back []byte
}

const (
	rotationLabel  = "signbox custody rotation link v1"
	rotationFormat = 1
	// MaxRotationSize bounds a link read back from the token: two sealed
	// scalars, two set ids and field names are under 300 bytes.
	MaxRotationSize = 1 << 10
)

type rotationJSON struct {
	Format   int    `json:"format"`
	From     string `json:"from"`
	To       string `json:"to"`
	Forward  string `json:"forward"`
	Backward string `json:"backward"`
}

// NewRotation seals to under from and from under to, bound to the two
// set ids. The secrets stay the caller's.
func NewRotation(from, to *Secret, fromSet, toSet string) ([]byte, error) {
	if err := checkSetID(fromSet); err != nil {
		return nil, err
	}
	if err := checkSetID(toSet); err != nil {
		return nil, err
	}
	if fromSet == toSet {
		return nil, invalid("a rotation from set %s to itself", fromSet)
	}
	fwd, err := sealSecret(from, to, fromSet, toSet, "forward")
	if err != nil {
		return nil, err
	}
	back, err := sealSecret(to, from, fromSet, toSet, "backward")
	if err != nil {
		return nil, err
	}
	return json.Marshal(rotationJSON{Format: rotationFormat, From: fromSet, To: toSet,
		Forward: hex.EncodeToString(fwd), Backward: hex.EncodeToString(back)})
}

// OpenRotation parses a link strictly; it opens nothing.
func OpenRotation(b []byte) (*Rotation, error) {
	if len(b) > MaxRotationSize {
		return nil, invalid("rotation link of %d bytes; at most %d", len(b), MaxRotationSize)
	}
	var j rotationJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil || dec.More() {
		return nil, invalid("rotation link is not one JSON object of known fields: %v", err)
	}
	if j.Format != rotationFormat {
		return nil, invalid("rotation link format %d; this signbox reads %d", j.Format, rotationFormat)
	}
	for _, id := range []string{j.From, j.To} {
		if err := checkSetID(id); err != nil {
			return nil, err
		}
	}
	r := &Rotation{From: j.From, To: j.To}
	var err error
	if r.fwd, err = decodeHex("rotation forward", j.Forward, sealedSize); err != nil {
		return nil, err
	}
	if r.back, err = decodeHex("rotation backward", j.Backward, sealedSize); err != nil {
		return nil, err
	}
	return r, nil
}

// Forward opens the new set's secret with the old set's.
func (r *Rotation) Forward(from *Secret) (*Secret, error) {
	return openSecret(from, r.fwd, r.From, r.To, "forward")
}

// Backward opens the old set's secret with the new set's.
func (r *Rotation) Backward(to *Secret) (*Secret, error) {
	return openSecret(to, r.back, r.From, r.To, "backward")
}

func rotationAEAD(key *Secret, fromSet, toSet, dir string) (cipher.AEAD, []byte, error) {
	var info cryptobyte.Builder
	addString(&info, rotationLabel)
	addString(&info, dir)
	addString(&info, fromSet)
	addString(&info, toSet)
	ad := info.BytesOrPanic()
	key.mustLive()
	k := make([]byte, 32)
	defer clear(k)
	if _, err := io.ReadFull(hkdf.New(sha256.New, key.key, nil, ad), k); err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, nil, err
	}
	aead, err := cipher.NewGCM(block)
	return aead, ad, err
}

// sealSecret encrypts what under a key derived from key. Each derived key
// encrypts exactly one value (the info names the direction and both sets,
// and set ids are random), so the fixed nonce never repeats under a key.
func sealSecret(key, what *Secret, fromSet, toSet, dir string) ([]byte, error) {
	aead, ad, err := rotationAEAD(key, fromSet, toSet, dir)
	if err != nil {
		return nil, err
	}
	what.mustLive()
	return aead.Seal(nil, gcmNonce, what.key, ad), nil
}

func openSecret(key *Secret, sealed []byte, fromSet, toSet, dir string) (*Secret, error) {
	aead, ad, err := rotationAEAD(key, fromSet, toSet, dir)
	if err != nil {
		return nil, err
	}
	b, err := aead.Open(nil, gcmNonce, sealed, ad)
	if err != nil {
		return nil, fmt.Errorf("%w: the rotation link from set %s to %s does not open with this secret", ErrWrongSecret, fromSet, toSet)
	}
	if !validScalar(b) {
		clear(b)
		return nil, invalid("the rotation link from set %s to %s holds no valid secret", fromSet, toSet)
	}
	return &Secret{key: b}, nil
}

func checkSetID(id string) error {
	if _, err := decodeHex("share set id", id, SetIDSize); err != nil {
		return err
	}
	return nil
}
