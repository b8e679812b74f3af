package custody

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cloudflare/circl/group"
)

// pinnedSet is a hand-made set with known values: commitments G and 2G,
// share keys and ephemeral keys with private scalars 1 to 4, and
// ciphertexts of repeated bytes. It is not a working set; it pins bytes.
func pinnedSet(t *testing.T) *Set {
	t.Helper()
	pub := func(d byte) *ecdh.PublicKey {
		b := make([]byte, 32)
		b[31] = d
		k, err := ecdh.P256().NewPrivateKey(b)
		if err != nil {
			t.Fatal(err)
		}
		return k.PublicKey()
	}
	mul := func(n uint64) group.Element { return curve.NewElement().MulGen(curve.NewScalar().SetUint64(n)) }
	return &Set{
		id: "000102030405060708090a0b0c0d0e0f",
		hdr: SetHeader{Appliance: "appliance-1", PolicySerial: 7,
			PolicyDigest: "sha256:" + strings.Repeat("ab", 32), Threshold: 2},
		commitments: []group.Element{mul(1), mul(2)},
		shares: []sealedShare{
			{holder: "alice", index: 1, key: pub(1), ephemeral: pub(2), sealed: bytes.Repeat([]byte{0x11}, sealedSize)},
			{holder: "bob", index: 2, key: pub(3), ephemeral: pub(4), sealed: bytes.Repeat([]byte{0x22}, sealedSize)},
		},
	}
}

// TestSerialization pins the manifest bytes. The JSON keys come in struct
// order with no spaces; binary values are lowercase hex:
//
//	version        1
//	set_id         16 bytes
//	appliance      as given
//	policy_serial  JSON number
//	policy_digest  "sha256:" + 64 hex
//	threshold      M
//	commitments    M compressed SEC1 points (33 bytes): g^a_0 .. g^a_{M-1}
//	shares[i]      holder, index i+1, key and ephemeral as uncompressed
//	               SEC1 points (65 bytes), ciphertext 32+16 bytes
func TestSerialization(t *testing.T) {
	s := pinnedSet(t)
	got, err := s.marshal()
	if err != nil {
		t.Fatal(err)
	}
	g := "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"  // x(G)
	g2 := "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978" // x(2G)
	want := `{"version":1,"set_id":"000102030405060708090a0b0c0d0e0f","appliance":"appliance-1",` +
		`"policy_serial":7,"policy_digest":"sha256:` + strings.Repeat("ab", 32) + `","threshold":2,` +
		`"commitments":["03` + g + `","03` + g2 + `"],` +
		`"shares":[{"holder":"alice","index":1,"key":"04` + g + pinnedY[1] + `","ephemeral":"04` + g2 + pinnedY[2] +
		`","ciphertext":"` + strings.Repeat("11", sealedSize) + `"},` +
		`{"holder":"bob","index":2,"key":"04` + pinnedX[3] + pinnedY[3] + `","ephemeral":"04` + pinnedX[4] + pinnedY[4] +
		`","ciphertext":"` + strings.Repeat("22", sealedSize) + `"}]}`
	if string(got) != want {
		t.Fatalf("manifest bytes changed:\n got %s\nwant %s", got, want)
	}
	back, err := parseManifest(got)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := back.marshal(); !bytes.Equal(again, got) {
		t.Fatal("parse and marshal do not round-trip")
	}
}

// Coordinates of nG on P-256 for the keys above (SEC 2 and well-known
// test vectors).
var (
	pinnedX = map[int]string{
		3: "5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6c",
		4: "e2534a3532d08fbba02dde659ee62bd0031fe2db785596ef509302446b030852",
	}
	pinnedY = map[int]string{
		1: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
		2: "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1",
		3: "8734640c4998ff7e374b06ce1a64a2ecd82ab036384fb83d9a79b127a27d5032",
		4: "e0f1575a4c633cc719dfee5fda862d764efc96c3f30ee0055c42c23f184ed8c6",
	}
)

// TestAADBytes pins the canonical header bytes (the AES-GCM additional
// data) of alice's share: each string is a 2-byte big-endian length and its
// bytes; numbers are big-endian of the stated width.
func TestAADBytes(t *testing.T) {
	s := pinnedSet(t)
	got := hex.EncodeToString(s.context(&s.shares[0]).aad())
	want := "" +
		"001f" + hex.EncodeToString([]byte(aadLabel)) + // label
		"01" + // format version, 1 byte
		"0020" + hex.EncodeToString([]byte(s.id)) + // set id, as its 32 hex characters
		"000b" + hex.EncodeToString([]byte("appliance-1")) +
		"0000000000000007" + // policy serial, 8 bytes
		"0047" + hex.EncodeToString([]byte(s.hdr.PolicyDigest)) +
		"0002" + // threshold, 2 bytes
		"0002" + // number of holders, 2 bytes
		"0005" + hex.EncodeToString([]byte("alice")) +
		"0001" // index, 2 bytes
	if got != want {
		t.Fatalf("AAD changed:\n got %s\nwant %s", got, want)
	}
	if aadLabel != "signbox custody share header v1" || infoLabel != "signbox custody share key v1" {
		t.Fatal("domain-separation labels changed; that is a new format version")
	}
}

// TestInfoBytes pins the HKDF info of alice's share.
func TestInfoBytes(t *testing.T) {
	s := pinnedSet(t)
	sh := &s.shares[0]
	got := hex.EncodeToString(s.context(sh).info(sh.ephemeral))
	want := "" +
		"001c" + hex.EncodeToString([]byte(infoLabel)) +
		"0020" + hex.EncodeToString([]byte(s.id)) +
		"0005" + hex.EncodeToString([]byte("alice")) +
		"000b" + hex.EncodeToString([]byte("appliance-1")) +
		"0041" + hex.EncodeToString(sh.ephemeral.Bytes()) + // ephemeral public key
		"0041" + hex.EncodeToString(sh.key.Bytes()) // the custodian's share key
	if got != want {
		t.Fatalf("HKDF info changed:\n got %s\nwant %s", got, want)
	}
}
