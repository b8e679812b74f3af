package mcuboot

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles returns the files matching glob and fails if there are none,
// so a moved testdata directory cannot silently empty the corpus.
func seedFiles(f *testing.F, glob string) [][]byte {
	f.Helper()
	names, err := filepath.Glob(glob)
	if err != nil || len(names) == 0 {
		f.Fatalf("seed glob %q matched nothing (%v)", glob, err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

const vectorGlob = "testdata/vectors/*.bin"

// FuzzParse: the parser never panics, refuses only with a *FormatError,
// and every image it accepts re-encodes to exactly its bytes (parse →
// encode → equality), so nothing in a file escapes the parsed fields.
func FuzzParse(f *testing.F) {
	for _, b := range seedFiles(f, vectorGlob) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := Parse(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		if img.Len != len(b) || img.HashedLen() > img.Len {
			t.Fatalf("Len %d, HashedLen %d for %d bytes", img.Len, img.HashedLen(), len(b))
		}
		if got := reencode(img); !bytes.Equal(got, b) {
			t.Fatalf("re-encoding differs:\n got % x\nwant % x", got, b)
		}
		_ = img.Info() // must not panic
	})
}

// reencode builds an image from its parsed fields; the header padding
// is the only part kept raw.
func reencode(img *Image) []byte {
	out := make([]byte, headerLen, img.Len)
	img.Header.encode(out)
	out = append(out, img.data[headerLen:img.Header.HeaderSize]...)
	out = append(out, img.Body()...)
	if img.Protected != nil {
		out = appendArea(out, TLVProtInfoMagic, img.Protected)
	}
	return appendArea(out, TLVInfoMagic, img.Unprotected)
}

// FuzzVerify: Verify never panics with any of the test keys, and an
// image it accepts is refused once any hashed byte changes.
func FuzzVerify(f *testing.F) {
	for _, b := range seedFiles(f, vectorGlob) {
		f.Add(b, uint32(0))
	}
	var pubs []crypto.PublicKey
	for _, n := range []string{"rsa2048", "rsa3072", "p256", "p384", "ed25519"} {
		pubs = append(pubs, testPublicKey(f, n))
	}
	f.Fuzz(func(t *testing.T, b []byte, pos uint32) {
		for _, pub := range pubs {
			v, err := Verify(b, pub, VerifyOptions{AllowNoSecurityCounter: true})
			if err != nil {
				continue
			}
			if !v.OK() {
				t.Fatal("nil error without OK")
			}
			img, _ := Parse(b)
			c := bytes.Clone(b)
			c[int(pos)%img.HashedLen()] ^= 0x80
			if _, err := Verify(c, pub, VerifyOptions{AllowNoSecurityCounter: true}); err == nil {
				t.Fatalf("verifies after changing hashed byte %d", int(pos)%img.HashedLen())
			}
		}
	})
}

func testPublicKey(tb testing.TB, name string) crypto.PublicKey {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name+".pem"))
	if err != nil {
		tb.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(crypto.Signer).Public()
}
