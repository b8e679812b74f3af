package custody

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"signbox/airgap/envelope"
)

func TestNotHolder(t *testing.T) {
	f := newFixture(t, 2, 3)
	_, err := f.set.Unseal("carol", newSoftKey(t))
	wantErr(t, err, ErrNotHolder, "carol holds no share in set "+f.set.ID()+" (holders: alice, bob, dave)")
}

func TestCheckFor(t *testing.T) {
	f := newFixture(t, 2, 3)
	other := digestOf("policy serial 8")
	for _, tc := range []struct {
		appliance string
		serial    uint64
		digest    string
		want      string
	}{
		{"fedcba9876543210fedcba9876543210", 7, testDigest,
			"was made for appliance " + testAppliance + ", not fedcba9876543210fedcba9876543210"},
		{testAppliance, 8, testDigest, "was made for policy serial 7, not 8"},
		{testAppliance, 7, other, "was made for policy digest " + testDigest + ", not " + other},
		{"x", 8, other, "was made for appliance " + testAppliance + ", not x; for policy serial 7, not 8; for policy digest"},
	} {
		err := f.set.CheckFor(tc.appliance, tc.serial, tc.digest)
		wantErr(t, err, ErrWrongSet, "share set "+f.set.ID()+" "+tc.want)
	}
}

// TestOtherAppliance: a set made for another appliance fails CheckFor, and
// its shares are refused by this set's collector.
func TestOtherAppliance(t *testing.T) {
	f := newFixture(t, 2, 3)
	hdr := f.hdr
	hdr.Appliance = "ffffffffffffffffffffffffffffffff"
	env, err := Split(rand.Reader, f.secret, hdr, f.holders, f.signer)
	if err != nil {
		t.Fatal(err)
	}
	set, err := OpenSet(env, &f.signer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, set.CheckFor(testAppliance, 7, testDigest), ErrWrongSet, "for appliance ffffffffffffffffffffffffffffffff, not "+testAppliance)
	sh, err := set.Unseal("alice", f.keys["alice"])
	if err != nil {
		t.Fatal(err)
	}
	c := f.set.NewCollector()
	defer c.Wipe()
	want := fmt.Sprintf("share of alice is from set %s (appliance ffffffffffffffffffffffffffffffff), not set %s (appliance %s)",
		set.ID(), f.set.ID(), testAppliance)
	wantErr(t, c.Add(sh), ErrWrongSet, want)
}

func TestWrongToken(t *testing.T) {
	f := newFixture(t, 2, 3)
	_, err := f.set.Unseal("alice", f.keys["bob"])
	want := fmt.Sprintf("alice's token did not open share 1 of set %s: it was sealed to key %s, and this token holds %s",
		f.set.ID(), fingerprint(f.keys["alice"].Public()), fingerprint(f.keys["bob"].Public()))
	wantErr(t, err, ErrWrongToken, want)
	_, err = f.set.Unseal("alice", nil)
	wantErr(t, err, ErrWrongToken, "no token given")
}

// liarKey claims alice's public key but derives with another private key,
// as a broken or substituted token would.
type liarKey struct {
	pub  *ecdh.PublicKey
	priv softKey
	err  error
}

func (l liarKey) Public() *ecdh.PublicKey { return l.pub }
func (l liarKey) ECDH(p *ecdh.PublicKey) ([]byte, error) {
	if l.err != nil {
		return nil, l.err
	}
	return l.priv.ECDH(p)
}

func TestTokenMisbehaves(t *testing.T) {
	f := newFixture(t, 2, 3)
	pub := f.keys["alice"].Public()
	_, err := f.set.Unseal("alice", liarKey{pub: pub, priv: newSoftKey(t)})
	wantErr(t, err, ErrWrongToken, "does not authenticate")
	boom := errors.New("CKR_DEVICE_REMOVED")
	_, err = f.set.Unseal("alice", liarKey{pub: pub, err: boom})
	wantErr(t, err, boom, "token ECDH: CKR_DEVICE_REMOVED")
}

func TestTamperedCiphertext(t *testing.T) {
	f := newFixture(t, 2, 3)
	env := f.edited(t, func(m *manifest) {
		ct, _ := hex.DecodeString(m.Shares[1].Ciphertext)
		ct[0] ^= 1
		m.Shares[1].Ciphertext = hex.EncodeToString(ct)
	})
	set, err := OpenSet(env, &f.signer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Unseal("bob", f.keys["bob"])
	wantErr(t, err, ErrWrongToken, "bob's token did not open share 2 of set "+set.ID())
	if _, err := set.Unseal("alice", f.keys["alice"]); err != nil {
		t.Fatalf("untouched share: %v", err)
	}
}

// TestTamperedCommitments: a correctly re-signed manifest whose
// commitments changed still decrypts, and the Feldman check refuses it.
func TestTamperedCommitments(t *testing.T) {
	f := newFixture(t, 3, 5)
	g, _ := curve.Generator().MarshalBinaryCompress()
	env := f.edited(t, func(m *manifest) { m.Commitments[1] = hex.EncodeToString(g) })
	set, err := OpenSet(env, &f.signer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Unseal("bob", f.keys["bob"])
	wantErr(t, err, ErrCommitment, "share of bob does not match the set's commitments (set "+set.ID()+")")
	// A share verified against the genuine set is refused by the
	// collector of the tampered copy (same id, other commitments).
	c := set.NewCollector()
	wantErr(t, c.Add(f.unseal(t, "alice")), ErrCommitment, "share of alice does not match")
}

func TestBadSignature(t *testing.T) {
	f := newFixture(t, 2, 3)
	_, err := OpenSet(f.env, &newSigner(t).PublicKey)
	wantErr(t, err, ErrBadSignature, "not signed by the appliance key sha256:")
	if !errors.Is(err, envelope.ErrNoValidSignature) {
		t.Fatalf("%v does not wrap envelope.ErrNoValidSignature", err)
	}
	// Signed by the wrong key, with a payload that is otherwise perfect.
	raw, _, _ := envelope.Open(f.env, PayloadType, &f.signer.PublicKey)
	forged, err := envelope.Sign(newSigner(t), PayloadType, raw)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenSet(forged, &f.signer.PublicKey)
	wantErr(t, err, ErrBadSignature, "not signed by the appliance key")
	// An edited payload without a new signature.
	tampered := bytes.Replace(f.env, []byte(`"payload":"ey`), []byte(`"payload":"ez`), 1)
	_, err = OpenSet(tampered, &f.signer.PublicKey)
	wantErr(t, err, ErrBadSignature, "not signed")
	_, err = OpenSet(f.env, nil)
	if err == nil {
		t.Fatal("opened with no verifier")
	}
}

func TestCollectorRefusals(t *testing.T) {
	f := newFixture(t, 2, 3)
	c := f.set.NewCollector()
	defer c.Wipe()
	_, err := c.Combine()
	wantErr(t, err, ErrTooFewShares, "set "+f.set.ID()+": 2 of 3 shares needed; have 0: none")
	if err := c.Add(f.unseal(t, "alice")); err != nil {
		t.Fatal(err)
	}
	_, err = c.Combine()
	wantErr(t, err, ErrTooFewShares, "2 of 3 shares needed; have 1: alice")
	wantErr(t, c.Add(f.unseal(t, "alice")), ErrDuplicateShare, "set "+f.set.ID()+" already has the share of alice")
	forged := f.unseal(t, "bob")
	forged.holder = "alice"
	wantErr(t, c.Add(forged), ErrDuplicateShare, "share of alice")
	relabelled := f.unseal(t, "bob")
	relabelled.index = 3
	wantErr(t, c.Add(relabelled), ErrCommitment, "share of bob does not match")
	swapped := f.unseal(t, "dave")
	swapped.value = f.unseal(t, "bob").value
	wantErr(t, c.Add(swapped), ErrCommitment, "share of dave does not match")
}

// TestManifestRefusals edits a genuine manifest, re-signs it with the
// right key, and expects OpenSet to refuse it for the stated reason.
func TestManifestRefusals(t *testing.T) {
	f := newFixture(t, 2, 3)
	for _, tc := range []struct {
		name string
		edit func(*manifest)
		want string
	}{
		{"threshold 1", func(m *manifest) { m.Threshold = 1; m.Commitments = m.Commitments[:1] }, "threshold 1 is below 2"},
		{"threshold above holders", func(m *manifest) { m.Threshold = 4 }, "threshold 4 is more than the 3 holders"},
		{"commitment count", func(m *manifest) { m.Commitments = append(m.Commitments, m.Commitments[0]) }, "3 commitments for threshold 2"},
		{"commitment not a point", func(m *manifest) { m.Commitments[0] = "02" + strings.Repeat("ff", 32) }, "commitments[0] is not a compressed P-256 point"},
		{"duplicate holder", func(m *manifest) { m.Shares[2].Holder = "alice" }, "holder alice is named twice"},
		{"duplicate key", func(m *manifest) { m.Shares[2].Key = m.Shares[0].Key }, "alice and dave have the same share key sha256:"},
		{"bad holder name", func(m *manifest) { m.Shares[0].Holder = "Alice Smith" }, `holder name "Alice Smith"`},
		{"index order", func(m *manifest) { m.Shares[0].Index, m.Shares[1].Index = 2, 1 }, "shares[0].index is 2, want 1"},
		{"key not on curve", func(m *manifest) { m.Shares[0].Key = "04" + strings.Repeat("11", 64) }, "shares[0].key is not a P-256 public key"},
		{"uppercase hex", func(m *manifest) { m.Shares[0].Ephemeral = strings.ToUpper(m.Shares[0].Ephemeral) }, "shares[0].ephemeral must be 130 lowercase hex"},
		{"short ciphertext", func(m *manifest) { m.Shares[0].Ciphertext = m.Shares[0].Ciphertext[2:] }, "shares[0].ciphertext must be 96"},
		{"set id", func(m *manifest) { m.SetID = "abcd" }, "set_id must be 32 lowercase hex"},
		{"appliance", func(m *manifest) { m.Appliance = "" }, "appliance id \"\""},
		{"digest", func(m *manifest) { m.PolicyDigest = "sha1:00" }, `policy digest "sha1:00"`},
		{"one holder", func(m *manifest) { m.Shares = m.Shares[:1]; m.Threshold = 2 }, "1 holders; a set has 2 to 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenSet(f.edited(t, tc.edit), &f.signer.PublicKey)
			wantErr(t, err, ErrInvalidSet, tc.want)
		})
	}
}

func TestManifestEncodingRefusals(t *testing.T) {
	f := newFixture(t, 2, 3)
	raw, _, _ := envelope.Open(f.env, PayloadType, &f.signer.PublicKey)
	for _, tc := range []struct{ name, payload, want string }{
		{"unknown field", strings.Replace(string(raw), `{"version":1,`, `{"version":1,"note":"x",`, 1), `unknown field "note"`},
		{"version 2", strings.Replace(string(raw), `{"version":1,`, `{"version":2,`, 1), "format version 2 is not supported (this build reads version 1)"},
		{"no version", strings.Replace(string(raw), `{"version":1,`, `{`, 1), "manifest has no version"},
		{"whitespace", " " + string(raw), "not in canonical form"},
		{"trailing data", string(raw) + "{}", "manifest"},
		{"duplicate key", strings.Replace(string(raw), `{"version":1,`, `{"version":1,"version":1,`, 1), `duplicate key "version"`},
		{"case-folded key", strings.Replace(string(raw), `"threshold"`, `"Threshold"`, 1), `unknown field "Threshold"`},
		{"not json", "version 1", "not one JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenSet(f.resign(t, []byte(tc.payload)), &f.signer.PublicKey)
			wantErr(t, err, ErrInvalidSet, tc.want)
		})
	}
	other, err := envelope.Sign(f.signer, "application/vnd.signbox.other+json", raw)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenSet(other, &f.signer.PublicKey)
	wantErr(t, err, envelope.ErrPayloadType, "unexpected payload type")
	_, err = OpenSet(make([]byte, MaxEnvelopeSize+1), &f.signer.PublicKey)
	wantErr(t, err, ErrInvalidSet, "the limit is")
}

// TestShareKeySwapped: a re-signed manifest that names another key for
// alice's share. Her own token is refused by fingerprint, and the other
// key's token cannot open a share sealed to hers.
func TestShareKeySwapped(t *testing.T) {
	f := newFixture(t, 2, 3)
	mallory := newSoftKey(t)
	env := f.edited(t, func(m *manifest) { m.Shares[0].Key = hex.EncodeToString(mallory.Public().Bytes()) })
	set, err := OpenSet(env, &f.signer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Unseal("alice", f.keys["alice"])
	wantErr(t, err, ErrWrongToken, "it was sealed to key "+fingerprint(mallory.Public()))
	_, err = set.Unseal("alice", mallory)
	wantErr(t, err, ErrWrongToken, "does not authenticate")
}
