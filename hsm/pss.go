package hsm

import (
	"crypto"
	"errors"
	"fmt"
	"io"
)

// emsaPSSEncode is EMSA-PSS-ENCODE of RFC 8017 section 9.1.1 for a digest
// already computed with h, MGF1 with h, a salt of saltLen bytes read from
// rnd, and a modulus of modBits bits. The result is k = ceil(modBits/8)
// bytes, ready for a bare RSA private-key operation (CKM_RSA_X_509) on a
// token that offers no PSS mechanism. Callers verify the finished
// signature with crypto/rsa, so an encoding error cannot leave the package.
func emsaPSSEncode(h crypto.Hash, digest []byte, saltLen, modBits int, rnd io.Reader) ([]byte, error) {
	hLen := h.Size()
	if len(digest) != hLen {
		return nil, fmt.Errorf("EMSA-PSS: digest of %d bytes for %v", len(digest), h)
	}
	emBits := modBits - 1
	emLen := (emBits + 7) / 8
	if emLen < hLen+saltLen+2 {
		return nil, errors.New("EMSA-PSS: modulus too short for this hash and salt")
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, fmt.Errorf("EMSA-PSS salt: %w", err)
	}
	// H = Hash(0x00 * 8 || mHash || salt)
	hh := h.New()
	hh.Write(make([]byte, 8))
	hh.Write(digest)
	hh.Write(salt)
	H := hh.Sum(nil)
	// DB = PS || 0x01 || salt, masked with MGF1(H, emLen - hLen - 1).
	db := make([]byte, emLen-hLen-1)
	db[len(db)-saltLen-1] = 0x01
	copy(db[len(db)-saltLen:], salt)
	mgf1XOR(db, h, H)
	db[0] &= 0xff >> (8*emLen - emBits)
	k := (modBits + 7) / 8
	em := make([]byte, k)
	off := k - emLen
	copy(em[off:], db)
	copy(em[off+len(db):], H)
	em[k-1] = 0xbc
	return em, nil
}

// mgf1XOR XORs out with MGF1(seed) (RFC 8017 appendix B.2.1) over hash h.
func mgf1XOR(out []byte, h crypto.Hash, seed []byte) {
	var counter [4]byte
	done := 0
	for done < len(out) {
		d := h.New()
		d.Write(seed)
		d.Write(counter[:])
		for _, b := range d.Sum(nil) {
			if done == len(out) {
				break
			}
			out[done] ^= b
			done++
		}
		for i := 3; i >= 0; i-- {
			counter[i]++
			if counter[i] != 0 {
				break
			}
		}
	}
}
