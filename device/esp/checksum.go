package esp

import "encoding/binary"

// xorBytes folds b into acc with XOR. The image checksum is a XOR over
// every segment's data; doing it eight bytes at a time keeps it far below
// the cost of the SHA-256 that is computed over the same bytes.
func xorBytes(acc byte, b []byte) byte {
	var w uint64
	for len(b) >= 8 {
		w ^= binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	for _, c := range b {
		acc ^= c
	}
	for i := 0; i < 8; i++ {
		acc ^= byte(w >> (8 * i))
	}
	return acc
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }
