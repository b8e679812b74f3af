package mcuboot_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"signbox/device/mcuboot"
)

// TestSignRoundTrip signs with every algorithm, checks the bytes field by
// field against mcuboot-formats.md without the package's parser, verifies
// the signature with the standard library over the TLV-covered bytes, and
// then with Verify.
func TestSignRoundTrip(t *testing.T) {
	in := body(3001, 1) // odd length: nothing is aligned
	for _, k := range algKeys {
		t.Run(k.alg.String(), func(t *testing.T) {
			t.Parallel()
			opts := baseOpts()
			out := sign(t, k.key, in, opts)
			pub := loadKey(t, k.key).Public()
			checkIndependently(t, out, in, pub)
			v, err := mcuboot.Verify(out, pub, mcuboot.VerifyOptions{MinSecurityCounter: 5})
			if err != nil || !v.OK() || v.Algorithm() != k.alg || v.Version() != opts.Version {
				t.Fatalf("Verify: %v %+v", err, v)
			}
			if c, ok := v.SecurityCounter(); !ok || c != 5 || len(v.Dependencies()) != 1 || v.Dependencies()[0] != opts.Dependencies[0] {
				t.Fatalf("counter %d %v, dependencies %v", c, ok, v.Dependencies())
			}
		})
	}
}

// checkIndependently reads a signed image the way mcuboot-formats.md
// describes it (§1 header, §2 TLV areas, hash and signature encodings)
// for baseOpts and body in.
func checkIndependently(t *testing.T, out, in []byte, pub crypto.PublicKey) {
	t.Helper()
	le16 := func(off int) int { return int(binary.LittleEndian.Uint16(out[off:])) }
	// §1: magic, load 0, hdr 0x200, prot size 4+8+16, img size, flags 0, 1.2.3+4, pad 0.
	wantHdr := []byte{0x3d, 0xb8, 0xf3, 0x96, 0, 0, 0, 0, 0x00, 0x02, 28, 0}
	wantHdr = binary.LittleEndian.AppendUint32(wantHdr, uint32(len(in)))
	wantHdr = append(wantHdr, 0, 0, 0, 0, 1, 2, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0)
	if !bytes.Equal(out[:32], wantHdr) {
		t.Fatalf("header\n got % x\nwant % x", out[:32], wantHdr)
	}
	if !bytes.Equal(out[32:0x200], bytes.Repeat([]byte{0xFF}, 0x200-32)) {
		t.Fatal("header padding is not 0xFF (imgtool --pad-header)")
	}
	if !bytes.Equal(out[0x200:0x200+len(in)], in) {
		t.Fatal("body changed")
	}
	// §2: protected area right after the body: SEC_CNT 5, DEPENDENCY (1, 2.0.0+7).
	p := 0x200 + len(in)
	wantProt := []byte{0x08, 0x69, 28, 0, 0x50, 0, 4, 0, 5, 0, 0, 0,
		0x40, 0, 12, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0}
	if !bytes.Equal(out[p:p+28], wantProt) {
		t.Fatalf("protected area\n got % x\nwant % x", out[p:p+28], wantProt)
	}
	u := p + 28
	if le16(u) != 0x6907 || u+le16(u+2) != len(out) {
		t.Fatalf("unprotected info % x, file %d bytes", out[u:u+4], len(out))
	}
	hashT, hashLen, h := 0x10, 32, crypto.SHA256
	if k, ok := pub.(*ecdsa.PublicKey); ok && k.Curve.Params().BitSize == 384 {
		hashT, hashLen, h = 0x11, 48, crypto.SHA384
	}
	digest := stdHash(h, out[:u])
	off := u + 4
	if le16(off) != hashT || le16(off+2) != hashLen || !bytes.Equal(out[off+4:off+4+hashLen], digest) {
		t.Fatalf("hash TLV % x, want type %#x over [0, %#x)", out[off:off+8], hashT, u)
	}
	off += 4 + hashLen
	if le16(off) != 0x01 || !bytes.Equal(out[off+4:off+4+hashLen], stdHash(h, keyBytes(t, pub))) {
		t.Fatalf("KEYHASH TLV % x", out[off:off+8])
	}
	off += 4 + hashLen
	sig := out[off+4 : off+4+le16(off+2)]
	if off+4+len(sig) != len(out) || !stdVerify(pub, le16(off), digest, sig) {
		t.Fatalf("signature TLV type %#x, %d bytes, does not verify or does not end the file", le16(off), len(sig))
	}
}

// keyBytes: PKCS#1 for RSA, SubjectPublicKeyInfo otherwise (§2 KEYHASH).
func keyBytes(t *testing.T, pub crypto.PublicKey) []byte {
	if k, ok := pub.(*rsa.PublicKey); ok {
		return x509.MarshalPKCS1PublicKey(k)
	}
	b, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func stdHash(h crypto.Hash, b []byte) []byte {
	if h == crypto.SHA384 {
		s := sha512.Sum384(b)
		return s[:]
	}
	s := sha256.Sum256(b)
	return s[:]
}

// stdVerify checks a signature TLV with the standard library (§2
// "Signature encodings"): TLV 0x20/0x23 PSS salt 32, 0x22 DER ECDSA,
// 0x24 Ed25519 over the digest.
func stdVerify(pub crypto.PublicKey, typ int, digest, sig []byte) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		want := map[int]int{2048: 0x20, 3072: 0x23}[k.N.BitLen()]
		return typ == want && len(sig) == k.Size() &&
			rsa.VerifyPSS(k, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: 32}) == nil
	case *ecdsa.PublicKey:
		return typ == 0x22 && sig[0] == 0x30 && ecdsa.VerifyASN1(k, digest, sig)
	case ed25519.PublicKey:
		return typ == 0x24 && len(sig) == 64 && ed25519.Verify(k, digest, sig)
	}
	return false
}

// algKeys are the test keys in testdata/keys (throwaway keys made with
// openssl genpkey), one per algorithm.
var algKeys = []struct {
	key string
	alg mcuboot.Algorithm
}{
	{"rsa2048", mcuboot.RSA2048PSS},
	{"rsa3072", mcuboot.RSA3072PSS},
	{"p256", mcuboot.ECDSAP256},
	{"p384", mcuboot.ECDSAP384},
	{"ed25519", mcuboot.Ed25519},
}

func loadKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k.(crypto.Signer)
}

// body is n deterministic bytes standing in for linked firmware.
func body(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

func u32(v uint32) *uint32 { return &v }

// baseOpts is what most tests sign with: imgtool -H 0x200 --pad-header
// -v 1.2.3+4 -s 5 -d "(1, 2.0.0+7)".
func baseOpts() mcuboot.SignOptions {
	return mcuboot.SignOptions{
		HeaderSize:      0x200,
		PadHeader:       true,
		Version:         mcuboot.Version{Major: 1, Minor: 2, Revision: 3, Build: 4},
		SecurityCounter: u32(5),
		Dependencies:    []mcuboot.Dependency{{ImageID: 1, MinVersion: mcuboot.Version{Major: 2, Build: 7}}},
	}
}

func sign(t testing.TB, key string, in []byte, opts mcuboot.SignOptions) []byte {
	t.Helper()
	out, err := mcuboot.Sign(in, loadKey(t, key), opts)
	if err != nil {
		t.Fatalf("Sign with %s: %v", key, err)
	}
	return out
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
