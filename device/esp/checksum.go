package esp

import (
	"crypto/subtle"
	"encoding/binary"
)

// xorBytes folds b into acc with XOR. The image checksum is a XOR over
// every segment's data; folding 512-byte blocks with the vectorised
// subtle.XORBytes first keeps it a few percent of the SHA-256 computed
// over the same bytes (the parse/sha256 benchmark ratio).
func xorBytes(acc byte, b []byte) byte {
	const chunk = 512
	if len(b) >= 2*chunk {
		var fold [chunk]byte
		for ; len(b) >= chunk; b = b[chunk:] {
			subtle.XORBytes(fold[:], fold[:], b[:chunk])
		}
		acc = xorWords(acc, fold[:])
	}
	return xorWords(acc, b)
}

func xorWords(acc byte, b []byte) byte {
	var w uint64
	for ; len(b) >= 8; b = b[8:] {
		w ^= binary.LittleEndian.Uint64(b)
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
