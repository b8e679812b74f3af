//go:build cgo

package hsm

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"math/big"
	"testing"
)

// TestEMSAPSSEncode: the host-side encoding used with CKM_RSA_X_509, made
// into a signature with the bare RSA private operation, verifies under
// crypto/rsa with the exact salt length, for modulus sizes that do and do
// not need the leading zero byte (modBits-1 a multiple of 8 or not).
func TestEMSAPSSEncode(t *testing.T) {
	for _, bits := range []int{1024, 1025, 2048} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			h    crypto.Hash
			d    []byte
			salt int
		}{
			{crypto.SHA256, sha(sha256.New(), "m"), 32},
			{crypto.SHA384, sha(sha512.New384(), "m"), 48},
			{crypto.SHA256, sha(sha256.New(), "m"), 0},
		} {
			em, err := emsaPSSEncode(tc.h, tc.d, tc.salt, k.N.BitLen(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if len(em) != (k.N.BitLen()+7)/8 {
				t.Fatalf("%d bits: encoded %d bytes", bits, len(em))
			}
			sig := new(big.Int).Exp(new(big.Int).SetBytes(em), k.D, k.N).FillBytes(make([]byte, len(em)))
			if err := rsa.VerifyPSS(&k.PublicKey, tc.h, tc.d, sig, &rsa.PSSOptions{SaltLength: tc.salt}); err != nil {
				t.Errorf("%d bits %v salt %d: %v", bits, tc.h, tc.salt, err)
			}
		}
	}
	if _, err := emsaPSSEncode(crypto.SHA512, make([]byte, 64), 64, 1024, rand.Reader); err == nil {
		t.Error("salt too long for the modulus was accepted")
	}
	if _, err := emsaPSSEncode(crypto.SHA256, make([]byte, 20), 32, 2048, rand.Reader); err == nil {
		t.Error("digest of the wrong length was accepted")
	}
}

func sha(h interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}, s string) []byte {
	h.Write([]byte(s))
	return h.Sum(nil)
}

// TestEveryAlgorithmHasASigningWay: an algorithm added to Algorithms
// without a signing mechanism is caught here, not signed with a guess.
func TestEveryAlgorithmHasASigningWay(t *testing.T) {
	for _, a := range Algorithms {
		if len(digestWays(a)) == 0 {
			t.Errorf("%s has no signing mechanism in digestWays", a)
		}
	}
	if _, err := digestWay("rsa-1024", map[uint]bool{}); err == nil {
		t.Error("an unknown algorithm got a signing way")
	}
}
