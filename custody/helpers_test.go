package custody

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"signbox/airgap/envelope"
)

const testAppliance = "0123456789abcdef0123456789abcdef"

var (
	testDigest = digestOf("policy serial 7")
	testNames  = []string{"alice", "bob", "dave", "erin", "frank", "grace", "heidi"}
)

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// softKey is a software custodian token: ECDH with an in-memory P-256 key.
type softKey struct{ k *ecdh.PrivateKey }

func (s softKey) Public() *ecdh.PublicKey                   { return s.k.PublicKey() }
func (s softKey) ECDH(peer *ecdh.PublicKey) ([]byte, error) { return s.k.ECDH(peer) }

func newSoftKey(t testing.TB) softKey {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return softKey{k}
}

func newSigner(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is one appliance with an M-of-N share set over fresh tokens.
type fixture struct {
	hdr     SetHeader
	names   []string
	keys    map[string]softKey
	signer  *ecdsa.PrivateKey
	secret  *Secret
	env     []byte
	set     *Set
	holders []Holder
}

func newFixture(t testing.TB, m, n int) *fixture {
	t.Helper()
	f := &fixture{
		hdr:    SetHeader{Appliance: testAppliance, PolicySerial: 7, PolicyDigest: testDigest, Threshold: m},
		names:  testNames[:n],
		keys:   map[string]softKey{},
		signer: newSigner(t),
	}
	for _, name := range f.names {
		f.keys[name] = newSoftKey(t)
		f.holders = append(f.holders, Holder{Name: name, Key: f.keys[name].Public()})
	}
	var err error
	if f.secret, err = NewSecret(rand.Reader); err != nil {
		t.Fatal(err)
	}
	if f.env, err = Split(rand.Reader, f.secret, f.hdr, f.holders, f.signer); err != nil {
		t.Fatal(err)
	}
	if f.set, err = OpenSet(f.env, &f.signer.PublicKey); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) unseal(t testing.TB, name string) *Share {
	t.Helper()
	sh, err := f.set.Unseal(name, f.keys[name])
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

// combine unseals names' shares into a fresh collector and combines them.
func (f *fixture) combine(t testing.TB, names ...string) (*Secret, error) {
	t.Helper()
	c := f.set.NewCollector()
	defer c.Wipe()
	for _, name := range names {
		if err := c.Add(f.unseal(t, name)); err != nil {
			t.Fatal(err)
		}
	}
	return c.Combine()
}

// payload returns the fixture's manifest, decoded for editing.
func (f *fixture) payload(t testing.TB) *manifest {
	t.Helper()
	raw, _, err := envelope.Open(f.env, PayloadType, &f.signer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// resign signs raw with the fixture's (correct) appliance key.
func (f *fixture) resign(t testing.TB, raw []byte) []byte {
	t.Helper()
	env, err := envelope.Sign(f.signer, PayloadType, raw)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// edited returns the fixture's manifest after edit, re-signed correctly.
func (f *fixture) edited(t testing.TB, edit func(*manifest)) []byte {
	t.Helper()
	m := f.payload(t)
	edit(m)
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return f.resign(t, raw)
}

func samePINs(a, b *Secret) bool {
	return bytes.Equal(a.UserPIN(), b.UserPIN()) && bytes.Equal(a.SOPIN(), b.SOPIN()) &&
		bytes.Equal(a.BackupKey(), b.BackupKey())
}

// wantErr fails unless err is target (errors.Is) and its text has want.
func wantErr(t testing.TB, err, target error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v containing %q", target, want)
	}
	if !errors.Is(err, target) {
		t.Fatalf("error %q is not %v", err, target)
	}
	if !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Fatalf("error %q does not say %q", err, want)
	}
}

// subsets calls fn with every k-element subset of names, in order.
func subsets(names []string, k int, fn func([]string)) {
	var rec func(start int, cur []string)
	rec = func(start int, cur []string) {
		if len(cur) == k {
			fn(append([]string(nil), cur...))
			return
		}
		for i := start; i < len(names); i++ {
			rec(i+1, append(cur, names[i]))
		}
	}
	rec(0, nil)
}

func binom(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return r
}

func exampleToken() ShareKey {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return softKey{k}
}

func exampleSigner() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}
