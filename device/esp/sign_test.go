package esp_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/big"
	"path/filepath"
	"slices"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// rev returns a reversed copy: blocks store integers little-endian.
func rev(b []byte) []byte {
	c := slices.Clone(b)
	slices.Reverse(c)
	return c
}

// checkSigned checks a file Sign produced from unsigned input, field by
// field against the format description and independently of the
// package's own parser, and verifies every signature with the standard
// library after reversing byte order.
func checkSigned(t *testing.T, in, out []byte, pubs []crypto.PublicKey) {
	t.Helper()
	padded := (len(in) + 4095) / 4096 * 4096
	if len(out) != padded+4096 {
		t.Fatalf("signed length %d, want %d", len(out), padded+4096)
	}
	if !bytes.Equal(out[:len(in)], in) {
		t.Fatal("image bytes changed")
	}
	if bytes.Count(out[len(in):padded], []byte{0xFF}) != padded-len(in) {
		t.Fatal("alignment padding is not 0xFF")
	}
	sector := out[padded:]
	for i, pub := range pubs {
		b := sector[i*1216 : (i+1)*1216]
		checkBlockBytes(t, i, b, out[:padded], pub)
	}
	rest := sector[len(pubs)*1216:]
	if bytes.Count(rest, []byte{0xFF}) != len(rest) {
		t.Errorf("sector after block %d is not 0xFF", len(pubs)-1)
	}
}

func checkBlockBytes(t *testing.T, i int, b, signed []byte, pub crypto.PublicKey) {
	t.Helper()
	if b[0] != 0xE7 {
		t.Errorf("block %d magic %#x", i, b[0])
	}
	if crc := binary.LittleEndian.Uint32(b[1196:]); crc != crc32.ChecksumIEEE(b[:1196]) {
		t.Errorf("block %d crc %#x", i, crc)
	}
	if !bytes.Equal(b[1200:], make([]byte, 16)) {
		t.Errorf("block %d: bytes 1200..1215 not zero", i)
	}
	kd, err := esp.KeyDigest(pub)
	if err != nil {
		t.Fatal(err)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		checkRSABlock(t, i, b, signed, k, kd)
	case *ecdsa.PublicKey:
		checkECDSABlock(t, i, b, signed, k, kd)
	}
}

func checkRSABlock(t *testing.T, i int, b, signed []byte, k *rsa.PublicKey, kd [32]byte) {
	t.Helper()
	digest := sha256.Sum256(signed)
	if b[1] != 2 || b[2] != 0 || b[3] != 0 || !bytes.Equal(b[4:36], digest[:]) {
		t.Errorf("block %d: header % x / digest mismatch", i, b[:4])
	}
	if new(big.Int).SetBytes(rev(b[36:420])).Cmp(k.N) != 0 || binary.LittleEndian.Uint32(b[420:]) != uint32(k.E) {
		t.Errorf("block %d: n or e mismatch", i)
	}
	r2 := new(big.Int).Exp(big.NewInt(2), big.NewInt(6144), k.N)
	if new(big.Int).SetBytes(rev(b[424:808])).Cmp(r2) != 0 {
		t.Errorf("block %d: rinv is not R^2 mod n", i)
	}
	// mdash * n == -1 mod 2^32
	n0 := uint32(new(big.Int).And(k.N, big.NewInt(0xFFFFFFFF)).Uint64())
	if binary.LittleEndian.Uint32(b[808:])*n0 != 0xFFFFFFFF {
		t.Errorf("block %d: mdash is not -n^-1 mod 2^32", i)
	}
	if err := rsa.VerifyPSS(k, crypto.SHA256, digest[:], rev(b[812:1196]), &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}); err != nil {
		t.Errorf("block %d: stdlib VerifyPSS: %v", i, err)
	}
	if sha256.Sum256(b[36:812]) != kd {
		t.Errorf("block %d: key digest over bytes 36..812 differs from KeyDigest", i)
	}
}

func checkECDSABlock(t *testing.T, i int, b, signed []byte, k *ecdsa.PublicKey, kd [32]byte) {
	t.Helper()
	size, shaVer, curveID := 32, byte(0), byte(2)
	var digest []byte
	if k.Curve == elliptic.P384() {
		size, shaVer, curveID = 48, 1, 3
		d := sha512.Sum384(signed)
		digest = d[:]
	} else {
		d := sha256.Sum256(signed)
		digest = d[:]
	}
	c := 4 + len(digest) // curve_id offset
	if b[1] != 3 || b[2] != shaVer || b[3] != 0 || !bytes.Equal(b[4:c], digest) || b[c] != curveID {
		t.Errorf("block %d: header % x, curve %d, or digest mismatch", i, b[:4], b[c])
	}
	raw, _ := k.Bytes()
	if !bytes.Equal(rev(b[c+1:c+1+size]), raw[1:1+size]) || !bytes.Equal(rev(b[c+1+size:c+1+2*size]), raw[1+size:]) {
		t.Errorf("block %d: X or Y mismatch", i)
	}
	sig := b[c+1+2*size:]
	r := new(big.Int).SetBytes(rev(sig[:size]))
	s := new(big.Int).SetBytes(rev(sig[size : 2*size]))
	if !ecdsa.Verify(k, digest, r, s) {
		t.Errorf("block %d: stdlib ecdsa.Verify fails", i)
	}
	if !bytes.Equal(sig[2*size:1196-c-1-2*size], make([]byte, 1196-c-1-4*size)) {
		t.Errorf("block %d: not zero after the signature", i)
	}
	if sha256.Sum256(b[c:c+1+2*size]) != kd {
		t.Errorf("block %d: key digest over curve_id||X||Y differs from KeyDigest", i)
	}
}

func TestSignStdlibKeys(t *testing.T) {
	rsaA, rsaB := vecPriv(t, "rsa3072-a"), vecPriv(t, "rsa3072-b")
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384 := vecPriv(t, "p384")
	tests := []struct {
		name    string
		opts    esptest.Options
		signers []crypto.Signer
	}{
		{"c3 app rsa", esptest.Options{Size: 100_000, SecureVersion: 7}, []crypto.Signer{rsaA}},
		{"c3 app rsa x2", esptest.Options{Size: 4096 - 32}, []crypto.Signer{rsaA, rsaB}},
		{"c3 bootloader rsa", esptest.Options{Kind: esp.KindBootloader, Size: 30_000, SecureVersion: 2}, []crypto.Signer{rsaB}},
		{"c6 app p256", esptest.Options{Chip: esp.ESP32C6, Size: 20_000}, []crypto.Signer{p256}},
		{"c5 app p384", esptest.Options{Chip: esp.ESP32C5, Size: 20_000}, []crypto.Signer{p384}},
		{"aligned image", esptest.Options{Size: 8192}, []crypto.Signer{rsaA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := esptest.Build(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			out, err := esp.Sign(in, tt.signers, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			var pubs []crypto.PublicKey
			var digests [3][32]byte
			for i, s := range tt.signers {
				pubs = append(pubs, s.Public())
				digests[i], _ = esp.KeyDigest(s.Public())
			}
			checkSigned(t, in, out, pubs)
			for i, pub := range pubs {
				v, err := esp.Verify(out, pub)
				if err != nil || v.Block() != i {
					t.Errorf("Verify key %d: block %d, %v", i, v.Block(), err)
				}
			}
			v, err := esp.VerifyDigests(out, digests, [3]bool{})
			if err != nil || v.Slot() != 0 || v.SecureVersion() != tt.opts.SecureVersion {
				t.Errorf("VerifyDigests: %+v, %v", v, err)
			}
		})
	}
}

// TestSignAppendsToEspsecureSector adds a block to an espsecure-signed
// image: espsecure's block stays byte-identical and both verify.
func TestSignAppendsToEspsecureSector(t *testing.T) {
	in := readFile(t, filepath.Join(vecDir, "app-sv3.rsa.signed.bin"))
	out, err := esp.Sign(in, []crypto.Signer{vecPriv(t, "rsa3072-b")}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) || !bytes.Equal(out[:len(in)-4096+1216], in[:len(in)-4096+1216]) {
		t.Fatal("image or espsecure's block changed")
	}
	for i, k := range []string{"rsa3072-a", "rsa3072-b"} {
		if v, err := esp.Verify(out, vecPub(t, k)); err != nil || v.Block() != i {
			t.Errorf("%s: block %d, %v", k, v.Block(), err)
		}
	}
}

func TestSignRefusals(t *testing.T) {
	rsaA := vecPriv(t, "rsa3072-a")
	p256 := vecPriv(t, "p256")
	p384 := vecPriv(t, "p384")
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	c3 := esptest.App(10_000, 1)
	c6 := must(esptest.Build(esptest.Options{Chip: esp.ESP32C6, Size: 10_000}))
	esp32 := must(esptest.Build(esptest.Options{UseESP32: true, Size: 10_000}))
	signedC6, err := esp.Sign(c6, []crypto.Signer{p256}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      []byte
		signers []crypto.Signer
		want    error
	}{
		{"ecdsa on c3", c3, []crypto.Signer{p256}, esp.ErrChipScheme},
		{"p384 on c6", c6, []crypto.Signer{p384}, esp.ErrChipScheme},
		{"mixed", c6, []crypto.Signer{rsaA, p256}, esp.ErrMixedSchemes},
		{"mixed with existing", signedC6, []crypto.Signer{rsaA}, esp.ErrMixedSchemes},
		{"duplicate", c3, []crypto.Signer{rsaA, rsaA}, esp.ErrDuplicateKey},
		{"duplicate existing", signedC6, []crypto.Signer{p256}, esp.ErrDuplicateKey},
		{"four blocks", c3, []crypto.Signer{rsaA, vecPriv(t, "rsa3072-b"), vecPriv(t, "rsa3072-c"), rsa2048}, esp.ErrTooManyBlocks},
		{"esp32 one block", esp32, []crypto.Signer{rsaA, vecPriv(t, "rsa3072-b")}, esp.ErrTooManyBlocks},
		{"rsa 2048", c3, []crypto.Signer{rsa2048}, esp.ErrUnsupportedKey},
		{"bad image", c3[:100], []crypto.Signer{rsaA}, esp.ErrSegmentPastEnd},
		{"wrong-key signer", c3, []crypto.Signer{liar{rsaA, vecPriv(t, "rsa3072-b")}}, esp.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := esp.Sign(tt.in, tt.signers, rand.Reader)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// liar claims one key and signs with another, like an HSM label pointing
// at the wrong key; Sign must catch it before returning.
type liar struct{ claimed, actual crypto.Signer }

func (l liar) Public() crypto.PublicKey { return l.claimed.Public() }
func (l liar) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return l.actual.Sign(r, d, o)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
