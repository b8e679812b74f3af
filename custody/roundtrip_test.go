package custody

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/cloudflare/circl/secretsharing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct{ m, n int }{{2, 3}, {3, 5}} {
		t.Run(fmt.Sprintf("%d-of-%d", tc.m, tc.n), func(t *testing.T) {
			f := newFixture(t, tc.m, tc.n)
			if got := f.set.Header(); got != f.hdr {
				t.Fatalf("header %+v, want %+v", got, f.hdr)
			}
			if len(f.set.ID()) != 2*SetIDSize || !isLowerHex(f.set.ID()) {
				t.Fatalf("set id %q", f.set.ID())
			}
			if !slices.Equal(f.set.Holders(), f.names) {
				t.Fatalf("holders %v, want %v", f.set.Holders(), f.names)
			}
			if err := f.set.CheckFor(testAppliance, 7, testDigest); err != nil {
				t.Fatal(err)
			}
			got, err := f.combine(t, f.names[:tc.m]...)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Wipe()
			if !samePINs(got, f.secret) {
				t.Fatal("rebuilt secret gives other PINs than the one split")
			}
		})
	}
}

// TestEverySubset: all C(N,M) subsets rebuild the same PINs, and every
// subset of M-1 is refused.
func TestEverySubset(t *testing.T) {
	for _, tc := range []struct{ m, n int }{{2, 3}, {3, 5}} {
		t.Run(fmt.Sprintf("%d-of-%d", tc.m, tc.n), func(t *testing.T) {
			f := newFixture(t, tc.m, tc.n)
			want := f.secret.UserPIN()
			count := 0
			subsets(f.names, tc.m, func(names []string) {
				count++
				s, err := f.combine(t, names...)
				if err != nil {
					t.Fatalf("%v: %v", names, err)
				}
				if !bytes.Equal(s.UserPIN(), want) || !samePINs(s, f.secret) {
					t.Fatalf("%v rebuilt other PINs", names)
				}
				s.Wipe()
			})
			if count != binom(tc.n, tc.m) {
				t.Fatalf("tried %d subsets, want C(%d,%d)=%d", count, tc.n, tc.m, binom(tc.n, tc.m))
			}
			subsets(f.names, tc.m-1, func(names []string) {
				if _, err := f.combine(t, names...); !errors.Is(err, ErrTooFewShares) {
					t.Fatalf("%v: err %v, want ErrTooFewShares", names, err)
				}
			})
		})
	}
}

// TestTooFewSharesRebuildGarbage shows why Combine checks commitment 0:
// interpolating M-1 shares as if the threshold were M-1 gives a value,
// just not the secret. Combine must refuse it instead of deriving PINs.
func TestTooFewSharesRebuildGarbage(t *testing.T) {
	f := newFixture(t, 3, 5)
	c := f.set.NewCollector()
	defer c.Wipe()
	for _, name := range f.names[:2] {
		if err := c.Add(f.unseal(t, name)); err != nil {
			t.Fatal(err)
		}
	}
	parts, err := c.scalars(2)
	if err != nil {
		t.Fatal(err)
	}
	defer wipeParts(parts)
	guess, err := secretsharing.Recover(1, parts)
	if err != nil {
		t.Fatal(err)
	}
	if curve.NewElement().MulGen(guess).IsEqual(f.set.commitments[0]) {
		t.Fatal("two shares of a 3-of-5 set rebuilt the secret")
	}
	// A collector whose set claims threshold 2 takes the same path and
	// must refuse the result.
	lowered := *f.set
	lowered.hdr.Threshold = 2
	c.set = &lowered
	_, err = c.Combine()
	wantErr(t, err, ErrWrongSecret, "refusing to use it")
}

func TestPINs(t *testing.T) {
	a, err := NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, pin := range [][]byte{a.UserPIN(), a.SOPIN()} {
		if len(pin) != 64 || !isLowerHex(string(pin)) {
			t.Fatalf("PIN %q is not 64 lowercase hex characters", pin)
		}
	}
	if bytes.Equal(a.UserPIN(), a.SOPIN()) || bytes.Equal(a.UserPIN()[:32], a.BackupKey()) {
		t.Fatal("user PIN, SO PIN and backup key are not independent")
	}
	if len(a.BackupKey()) != 32 {
		t.Fatalf("backup key is %d bytes", len(a.BackupKey()))
	}
	if bytes.Equal(a.UserPIN(), b.UserPIN()) || bytes.Equal(a.SOPIN(), b.SOPIN()) ||
		bytes.Equal(a.BackupKey(), b.BackupKey()) {
		t.Fatal("two NewSecret calls gave the same PINs")
	}
	pin := a.UserPIN()
	clear(pin)
	if bytes.Equal(a.UserPIN(), pin) {
		t.Fatal("UserPIN returned a shared slice")
	}
}

func TestSecretWipe(t *testing.T) {
	s, err := NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := s.key
	s.Wipe()
	if !bytes.Equal(key, make([]byte, scalarSize)) {
		t.Fatalf("secret bytes after Wipe: %x", key)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("UserPIN of a wiped secret did not panic")
		}
	}()
	s.UserPIN()
}

func TestWipedAfterAdd(t *testing.T) {
	f := newFixture(t, 2, 3)
	c := f.set.NewCollector()
	defer c.Wipe()
	alice := f.unseal(t, "alice")
	for _, sh := range []*Share{alice, f.unseal(t, "bob")} {
		if err := c.Add(sh); err != nil {
			t.Fatal(err)
		}
	}
	alice.Wipe()
	_, err := c.Combine()
	wantErr(t, err, ErrWiped, "the share of alice was wiped after it was added")
	var nobody *Secret
	nobody.Wipe() // a deferred Wipe after a failed Combine must not panic
	(*Share)(nil).Wipe()
	(*Collector)(nil).Wipe()
}

func TestZeroSecretPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a zero Secret derived a PIN")
		}
	}()
	(&Secret{}).SOPIN()
}

func TestShareAndCollectorWipe(t *testing.T) {
	f := newFixture(t, 2, 3)
	sh := f.unseal(t, "alice")
	value := sh.value
	c := f.set.NewCollector()
	if err := c.Add(sh); err != nil {
		t.Fatal(err)
	}
	c.Wipe()
	if !bytes.Equal(value, make([]byte, scalarSize)) {
		t.Fatalf("share bytes after Collector.Wipe: %x", value)
	}
	wantErr(t, c.Add(f.unseal(t, "bob")), ErrWiped, "collector")
	_, err := c.Combine()
	wantErr(t, err, ErrWiped, "collector")
	wantErr(t, f.set.NewCollector().Add(sh), ErrWiped, "already wiped")
}

func TestHave(t *testing.T) {
	f := newFixture(t, 3, 5)
	c := f.set.NewCollector()
	defer c.Wipe()
	if names, need := c.Have(); len(names) != 0 || need != 3 {
		t.Fatalf("empty collector: %v, need %d", names, need)
	}
	for _, name := range []string{"erin", "alice", "bob", "dave"} {
		if err := c.Add(f.unseal(t, name)); err != nil {
			t.Fatal(err)
		}
	}
	if names, need := c.Have(); !slices.Equal(names, []string{"erin", "alice", "bob", "dave"}) || need != 0 {
		t.Fatalf("have %v, need %d", names, need)
	}
	s, err := c.Combine()
	if err != nil {
		t.Fatal(err)
	}
	if !samePINs(s, f.secret) {
		t.Fatal("combining more than threshold shares gave other PINs")
	}
}

func ExampleSplit() {
	// Three custodians' tokens, the appliance key, and a fresh secret.
	tokens := map[string]ShareKey{}
	var holders []Holder
	for _, name := range []string{"alice", "bob", "dave"} {
		tokens[name] = exampleToken()
		holders = append(holders, Holder{Name: name, Key: tokens[name].Public()})
	}
	appliance := exampleSigner()
	secret, _ := NewSecret(rand.Reader)
	defer secret.Wipe()
	hdr := SetHeader{Appliance: testAppliance, PolicySerial: 7, PolicyDigest: testDigest, Threshold: 2}
	env, _ := Split(rand.Reader, secret, hdr, holders, appliance)

	// At the next ceremony: any two custodians unlock the token.
	set, _ := OpenSet(env, appliance.Public())
	fmt.Println(set.CheckFor(testAppliance, 7, testDigest))
	c := set.NewCollector()
	defer c.Wipe()
	for _, name := range []string{"dave", "alice"} {
		share, err := set.Unseal(name, tokens[name])
		if err == nil {
			err = c.Add(share)
		}
		fmt.Println(name, err)
	}
	rebuilt, err := c.Combine()
	fmt.Println(err, bytes.Equal(rebuilt.UserPIN(), secret.UserPIN()))
	rebuilt.Wipe()
	// Output:
	// <nil>
	// dave <nil>
	// alice <nil>
	// <nil> true
}
