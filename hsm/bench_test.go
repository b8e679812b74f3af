//go:build cgo

package hsm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// stdlibKey makes an in-process key of the same type, the peer each token
// figure in docs/BENCHMARKS.md is compared with.
func stdlibKey(b *testing.B, a hsm.Algorithm) crypto.Signer {
	var k crypto.Signer
	var err error
	switch a {
	case hsm.RSA3072:
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	case hsm.ECDSAP256:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case hsm.ECDSAP384:
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case hsm.Ed25519:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkSign signs one digest (Ed25519: one 32-byte message) per op,
// through SoftHSM and with the standard library.
func BenchmarkSign(b *testing.B) {
	tok := hsmtest.NewToken(b)
	for _, tc := range sigCases {
		if _, err := tok.GenerateKey("bench-"+string(tc.alg), tc.alg); err != nil {
			b.Fatal(err)
		}
		tokSigner, err := tok.Signer("bench-" + string(tc.alg))
		if err != nil {
			b.Fatal(err)
		}
		d := tc.digest([]byte("firmware"))
		for name, s := range map[string]crypto.Signer{"softhsm": tokSigner, "stdlib": stdlibKey(b, tc.alg)} {
			b.Run(string(tc.alg)+"/"+name, func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Sign(rand.Reader, d, tc.opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkHMAC MACs one 256-byte audit record per op.
func BenchmarkHMAC(b *testing.B) {
	tok := hsmtest.NewToken(b)
	if _, err := tok.GenerateKey("bench-mac", hsm.HMACSHA256); err != nil {
		b.Fatal(err)
	}
	newMAC, err := tok.HMAC("bench-mac")
	if err != nil {
		b.Fatal(err)
	}
	rec := make([]byte, 256)
	key := make([]byte, 32)
	for name, f := range map[string]func() []byte{
		"softhsm": func() []byte { return macOf(newMAC, rec) },
		"stdlib":  func() []byte { m := hmac.New(sha256.New, key); m.Write(rec); return m.Sum(nil) },
	} {
		b.Run("hmac-sha256/"+name, func(b *testing.B) {
			for b.Loop() {
				f()
			}
		})
	}
}

// BenchmarkParallelSign: ECDSA P-256 through one Token from GOMAXPROCS
// goroutines, to show the session pool scales rather than serialises.
func BenchmarkParallelSign(b *testing.B) {
	tok := hsmtest.NewToken(b)
	if _, err := tok.GenerateKey("par", hsm.ECDSAP256); err != nil {
		b.Fatal(err)
	}
	s, err := tok.Signer("par")
	if err != nil {
		b.Fatal(err)
	}
	d := sum256([]byte("x"))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign(nil, d, crypto.SHA256); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
