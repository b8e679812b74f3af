//go:build cgo

package hsm_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strings"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

func macOf(newMAC func() hash.Hash, data []byte) []byte {
	m := newMAC()
	m.Write(data)
	return m.Sum(nil)
}

func TestHMACMatchesStdlib(t *testing.T) {
	tok := hsmtest.NewToken(t)
	// RFC 4231 test case 6: a 131-byte key of 0xaa (SoftHSM refuses keys
	// under 32 bytes for CKM_SHA256_HMAC, which rules out cases 1-5).
	key := bytes.Repeat([]byte{0xaa}, 131)
	if err := hsm.ImportHMACKey(tok, "rfc4231", key); err != nil {
		t.Fatal(err)
	}
	newMAC, err := tok.HMAC("rfc4231")
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("Test Using Larger Than Block-Size Key - Hash Key First")
	want, _ := hex.DecodeString("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
	m := newMAC()
	m.Write(data[:10])
	m.Write(data[10:])
	if got := m.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("token HMAC = %x, RFC 4231 says %x", got, want)
	}
	if !bytes.Equal(m.Sum(nil), want) {
		t.Fatal("second Sum differs")
	}
	std := hmac.New(sha256.New, key)
	m.Reset()
	std.Reset()
	for _, w := range []string{"", "a", strings.Repeat("b", 1000)} {
		m.Write([]byte(w))
		std.Write([]byte(w))
	}
	if !bytes.Equal(m.Sum(nil), std.Sum(nil)) || m.Size() != 32 || m.BlockSize() != 64 {
		t.Fatal("token HMAC differs from crypto/hmac")
	}
}

func TestGeneratedHMACKey(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, l := range []string{"epoch-1", "epoch-2"} {
		if _, err := tok.GenerateKey(l, hsm.HMACSHA256); err != nil {
			t.Fatal(err)
		}
	}
	sensitive, extractable, err := hsm.KeyFlags(tok, "epoch-1")
	if err != nil || !sensitive || extractable {
		t.Fatalf("sensitive=%v extractable=%v err=%v", sensitive, extractable, err)
	}
	m1, _ := tok.HMAC("epoch-1")
	m2, _ := tok.HMAC("epoch-2")
	a, b := macOf(m1, []byte("leaf")), macOf(m2, []byte("leaf"))
	if len(a) != 32 || bytes.Equal(a, b) || !bytes.Equal(a, macOf(m1, []byte("leaf"))) {
		t.Fatalf("MACs %x %x: want 32 bytes, deterministic, different per key", a, b)
	}
	if _, err := tok.GenerateKey("sig", hsm.ECDSAP256); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.HMAC("sig"); err == nil || !strings.Contains(err.Error(), "not an HMAC key") {
		t.Fatalf("HMAC on a signing key: %v", err)
	}
}

func TestRand(t *testing.T) {
	tok := hsmtest.NewToken(t)
	a, b := make([]byte, 3000), make([]byte, 3000)
	if _, err := io.ReadFull(tok.Rand(), a); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(tok.Rand(), b); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) || bytes.Equal(a[2000:], make([]byte, 1000)) {
		t.Fatal("token RNG repeats or returns zeros")
	}
}
