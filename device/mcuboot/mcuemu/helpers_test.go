package mcuemu

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
	"sync"
	"testing"

	"signbox/device/mcuboot"
)

// testLayout: 4 KiB sectors, 8-byte writes, images of up to 4 sectors.
var testLayout = Layout{SectorSize: 4096, WriteSize: 8, ImageSectors: 4}

// loadKey reads a throwaway test key from device/mcuboot's testdata.
func loadKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "keys", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
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

// signImage is imgtool sign -H 0x200 --pad-header -v maj.0.0 -s sec.
func signImage(t testing.TB, key crypto.Signer, major uint8, sec uint32, size int) []byte {
	t.Helper()
	out, err := mcuboot.Sign(body(size, major), key, mcuboot.SignOptions{
		HeaderSize: 0x200, PadHeader: true,
		Version:         mcuboot.Version{Major: major},
		SecurityCounter: &sec,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fixture: one key and three images signed once per test binary.
type fixture struct {
	key        crypto.Signer
	v1, v2, v3 []byte // versions 1.0.0, 2.0.0, 3.0.0 with SEC_CNT 1, 2, 3
	foreign    []byte // 2.0.0 signed by a key the bootloader does not hold
}

var (
	fixOnce sync.Once
	fix     fixture
)

func getFixture(t testing.TB) fixture {
	fixOnce.Do(func() {
		k := loadKey(t, "p256")
		fix = fixture{
			key: k,
			v1:  signImage(t, k, 1, 1, 9000),
			v2:  signImage(t, k, 2, 2, 11000),
			v3:  signImage(t, k, 3, 3, 7000),
			// foreign: signed by another key; same version as v2.
			foreign: signImage(t, loadKey(t, "p256-other"), 2, 2, 11000),
		}
	})
	return fix
}

// smallLayout: 1 KiB sectors and byte writes (nRF-style RRAM/flash with
// 1-byte writes), so images span 8-11 sectors and torn writes land bytes.
var smallLayout = Layout{SectorSize: 1024, WriteSize: 1, ImageSectors: 16}

func keysOf(f fixture) []crypto.PublicKey { return []crypto.PublicKey{f.key.Public()} }

// newDevice makes and boots a device with v1 in the primary slot.
func newDevice(t testing.TB, mode Mode) *Device { return newDeviceOn(t, testLayout, mode) }

func newDeviceOn(t testing.TB, l Layout, mode Mode) *Device {
	t.Helper()
	f := getFixture(t)
	d, err := New(Config{Layout: l, Mode: mode, Keys: []crypto.PublicKey{f.key.Public()}, Factory: f.v1})
	if err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	return d
}

func mustBoot(t testing.TB, d *Device, major uint8) *BootTrace {
	t.Helper()
	tr, err := d.Boot()
	if err != nil {
		t.Fatalf("boot: %v\n%s", err, tr)
	}
	checkBooted(t, d, tr)
	if major != 0 && tr.Version.Major != major {
		t.Fatalf("booted %s, want %d.0.0\n%s", tr.Version, major, tr)
	}
	return tr
}

// checkBooted re-checks what the device booted without the emulator or
// device/mcuboot: the primary slot's image read by hand per
// mcuboot-formats.md §1–2, hashed and verified with the standard library,
// its SEC_CNT at least the hardware counter.
func checkBooted(t testing.TB, d *Device, tr *BootTrace) {
	t.Helper()
	slot := d.SlotImage("primary")
	pub := getFixture(t).key.Public()
	digest, sec := independentVerify(t, slot, pub)
	if !bytes.Equal(digest, tr.Digest) {
		t.Fatalf("trace digest %x, primary slot hashes to %x", tr.Digest, digest)
	}
	if sec < d.SecurityCounter() {
		t.Fatalf("booted SEC_CNT %d below the hardware counter %d", sec, d.SecurityCounter())
	}
}

// independentVerify parses header and TLVs of the image at the start of
// slot and checks hash and signature with the standard library. It
// returns the digest and the SEC_CNT (which must be present).
func independentVerify(t testing.TB, slot []byte, pub crypto.PublicKey) ([]byte, uint32) {
	t.Helper()
	le16 := func(o int) int { return int(binary.LittleEndian.Uint16(slot[o:])) }
	le32 := func(o int) int { return int(binary.LittleEndian.Uint32(slot[o:])) }
	if le32(0) != 0x96f3b83d {
		t.Fatalf("primary slot: no image magic: % x", slot[:4])
	}
	hdr, prot, img := le16(8), le16(10), le32(12)
	p := hdr + img
	var sec uint32
	hasSec := false
	if prot > 0 {
		if le16(p) != 0x6908 || le16(p+2) != prot {
			t.Fatalf("protected info % x", slot[p:p+4])
		}
		for o := p + 4; o < p+prot; o += 4 + le16(o+2) {
			if le16(o) == 0x50 {
				sec, hasSec = binary.LittleEndian.Uint32(slot[o+4:]), true
			}
		}
	}
	u := p + prot
	if le16(u) != 0x6907 {
		t.Fatalf("unprotected info % x", slot[u:u+4])
	}
	h := crypto.SHA256
	if k, ok := pub.(*ecdsa.PublicKey); ok && k.Curve.Params().BitSize == 384 {
		h = crypto.SHA384
	}
	var digest []byte
	if h == crypto.SHA384 {
		s := sha512.Sum384(slot[:u])
		digest = s[:]
	} else {
		s := sha256.Sum256(slot[:u])
		digest = s[:]
	}
	var sig []byte
	for o := u + 4; o < u+le16(u+2); o += 4 + le16(o+2) {
		v := slot[o+4 : o+4+le16(o+2)]
		switch le16(o) {
		case 0x10, 0x11:
			if !bytes.Equal(v, digest) {
				t.Fatalf("hash TLV %x, image hashes to %x", v, digest)
			}
		case 0x20, 0x22, 0x23, 0x24:
			sig = v
		}
	}
	ok := verifiedSigs.check(pub, digest, sig)
	if !ok || !hasSec {
		t.Fatalf("booted image: signature ok %v, SEC_CNT present %v", ok, hasSec)
	}
	return digest, sec
}

// sigCache remembers signatures the standard library has verified: the
// sweep boots the same few images thousands of times, and the emulator
// itself verifies every one of those boots anyway.
type sigCache struct {
	mu   sync.Mutex
	seen map[string]bool
}

var verifiedSigs = &sigCache{seen: map[string]bool{}}

func (c *sigCache) check(pub crypto.PublicKey, digest, sig []byte) bool {
	kb, _ := x509.MarshalPKIXPublicKey(pub)
	key := string(kb) + string(digest) + string(sig)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[key] {
		return true
	}
	ok := stdVerify(pub, digest, sig)
	if ok {
		c.seen[key] = true
	}
	return ok
}

// stdVerify is mcuboot-formats.md §2 "Signature encodings" with the
// standard library: RSA-PSS SHA-256 salt 32, DER ECDSA and Ed25519, each
// over the digest.
func stdVerify(pub crypto.PublicKey, digest, sig []byte) bool {
	ok := false
	switch k := pub.(type) {
	case *rsa.PublicKey:
		ok = rsa.VerifyPSS(k, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: 32}) == nil
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, digest, sig)
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, digest, sig)
	}
	return ok
}
