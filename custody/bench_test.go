package custody

import (
	"crypto/rand"
	"testing"
)

func BenchmarkSplit3of5(b *testing.B) {
	f := newFixture(b, 3, 5)
	for b.Loop() {
		if _, err := Split(rand.Reader, f.secret, f.hdr, f.holders, f.signer); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnseal(b *testing.B) {
	f := newFixture(b, 3, 5)
	for b.Loop() {
		f.unseal(b, "alice").Wipe()
	}
}

// BenchmarkCombine3of5 adds three unsealed shares (each Feldman-checked
// again) and rebuilds the secret.
func BenchmarkCombine3of5(b *testing.B) {
	f := newFixture(b, 3, 5)
	shares := []*Share{f.unseal(b, "alice"), f.unseal(b, "dave"), f.unseal(b, "erin")}
	for b.Loop() {
		c := f.set.NewCollector()
		for _, sh := range shares {
			if err := c.Add(sh); err != nil {
				b.Fatal(err)
			}
		}
		s, err := c.Combine()
		if err != nil {
			b.Fatal(err)
		}
		s.Wipe()
	}
}
