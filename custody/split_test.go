package custody

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
)

func TestSplitRefusals(t *testing.T) {
	f := newFixture(t, 2, 3)
	many := make([]Holder, MaxHolders+1)
	for i := range many {
		many[i] = Holder{Name: fmt.Sprintf("c%02d", i), Key: newSoftKey(t).Public()}
	}
	dupName := append([]Holder(nil), f.holders...)
	dupName[2].Name = "alice"
	dupKey := append([]Holder(nil), f.holders...)
	dupKey[2].Key = dupKey[1].Key
	nilKey := append([]Holder(nil), f.holders...)
	nilKey[1].Key = nil
	for _, tc := range []struct {
		name    string
		hdr     func(*SetHeader)
		holders []Holder
		want    string
	}{
		{"threshold 1", func(h *SetHeader) { h.Threshold = 1 }, f.holders, "threshold 1 is below 2: one custodian alone could log in"},
		{"threshold 0", func(h *SetHeader) { h.Threshold = 0 }, f.holders, "threshold 0 is below 2"},
		{"threshold above holders", func(h *SetHeader) { h.Threshold = 4 }, f.holders, "threshold 4 is more than the 3 holders"},
		{"no holders", nil, nil, "0 holders; a set has 2 to 64"},
		{"too many holders", nil, many, "65 holders; a set has 2 to 64"},
		{"duplicate name", nil, dupName, "holder alice is named twice"},
		{"duplicate key", nil, dupKey, "bob and dave have the same share key sha256:"},
		{"nil key", nil, nilKey, "share key of bob is not a P-256 ECDH key"},
		{"bad name", nil, []Holder{{"", f.holders[0].Key}, f.holders[1]}, `holder name ""`},
		{"bad appliance", func(h *SetHeader) { h.Appliance = "two words" }, f.holders, `appliance id "two words"`},
		{"bad digest", func(h *SetHeader) { h.PolicyDigest = "sha256:ABC" }, f.holders, `policy digest "sha256:ABC"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := f.hdr
			if tc.hdr != nil {
				tc.hdr(&hdr)
			}
			_, err := Split(rand.Reader, f.secret, hdr, tc.holders, f.signer)
			wantErr(t, err, ErrInvalidSet, tc.want)
		})
	}
	if _, err := Split(rand.Reader, f.secret, f.hdr, f.holders, nil); err == nil {
		t.Fatal("split with no signer")
	}
}

func TestSplitWipedSecret(t *testing.T) {
	f := newFixture(t, 2, 3)
	s, _ := NewSecret(rand.Reader)
	s.Wipe()
	_, err := Split(rand.Reader, s, f.hdr, f.holders, f.signer)
	wantErr(t, err, ErrWiped, "custody: split: secret is wiped")
	_, err = Split(rand.Reader, &Secret{}, f.hdr, f.holders, f.signer)
	wantErr(t, err, ErrWiped, "was not made by NewSecret")
}

// limitedReader gives n random bytes, then fails.
type limitedReader struct{ n int }

var errRandGone = errors.New("RNG unplugged")

func (r *limitedReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errRandGone
	}
	k := min(len(p), r.n)
	r.n -= k
	return rand.Read(p[:k])
}

// TestSplitRandFails: a failing RNG is an error at every stage, not a
// panic (circl panics inside; Split must convert it).
func TestSplitRandFails(t *testing.T) {
	f := newFixture(t, 3, 5)
	// Fail reading the set id, the two random coefficients, and the
	// first ephemeral key (id 16 + coefficients 2*32 bytes).
	for _, n := range []int{0, SetIDSize, SetIDSize + 10, SetIDSize + 64 + 10} {
		_, err := Split(&limitedReader{n: n}, f.secret, f.hdr, f.holders, f.signer)
		wantErr(t, err, errRandGone, "RNG unplugged")
	}
}

func TestNewSecretRand(t *testing.T) {
	if _, err := NewSecret(&limitedReader{n: 10}); !errors.Is(err, errRandGone) {
		t.Fatalf("short RNG: %v", err)
	}
	zeros := bytes.NewReader(make([]byte, 64*scalarSize))
	if _, err := NewSecret(zeros); err == nil || !bytes.Contains([]byte(err.Error()), []byte("broken")) {
		t.Fatalf("all-zero RNG: %v", err)
	}
	ones := bytes.NewReader(bytes.Repeat([]byte{0xff}, 64*scalarSize))
	if _, err := NewSecret(ones); err == nil {
		t.Fatal("all-ones RNG made a secret (0xff...ff is above the P-256 order)")
	}
}
