package esp

import (
	"math/rand/v2"
	"testing"
)

// TestXorBytes checks the folded XOR against the byte-at-a-time
// definition at lengths around every boundary it has.
func TestXorBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 5000)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for _, n := range []int{0, 1, 7, 8, 9, 511, 512, 1023, 1024, 1025, 1536, 4999, 5000} {
		want := byte(0xEF)
		for _, c := range buf[:n] {
			want ^= c
		}
		if got := xorBytes(0xEF, buf[:n]); got != want {
			t.Errorf("n=%d: %#x, want %#x", n, got, want)
		}
	}
}
