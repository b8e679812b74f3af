package esp_test

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/device/esp"
)

// The vectors in testdata/vectors were made by Espressif's espsecure
// v4.10.0 (copied from the shared esp-sbv2 vector set; see its README).
const vecDir = "testdata/vectors"

var vecKeys = []string{"rsa3072-a", "rsa3072-b", "rsa3072-c", "p256", "p384"}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vecPub(t testing.TB, name string) crypto.PublicKey {
	t.Helper()
	blk, _ := pem.Decode(readFile(t, filepath.Join(vecDir, "keys", name+".pub.pem")))
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func vecPriv(t testing.TB, name string) crypto.Signer {
	t.Helper()
	blk, _ := pem.Decode(readFile(t, filepath.Join(vecDir, "keys", name+".pem")))
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	var k any
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(blk.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k.(crypto.Signer)
}

type verdict struct {
	file, key string
	valid     bool
}

func readVerdicts(t *testing.T) []verdict {
	var out []verdict
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, filepath.Join(vecDir, "espsecure-verdicts.txt"))))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || (f[2] != "valid" && f[2] != "invalid") {
			t.Fatalf("bad verdict line %q", sc.Text())
		}
		out = append(out, verdict{f[0], f[1], f[2] == "valid"})
	}
	if len(out) == 0 {
		t.Fatal("no verdicts")
	}
	return out
}

// TestVectorVerdicts checks every (file, key) pair against espsecure's own
// verdict.
func TestVectorVerdicts(t *testing.T) {
	for _, v := range readVerdicts(t) {
		t.Run(v.file+"/"+v.key, func(t *testing.T) {
			file := readFile(t, filepath.Join(vecDir, v.file))
			got, err := esp.Verify(file, vecPub(t, v.key))
			if v.valid != (err == nil) {
				t.Fatalf("espsecure says valid=%v, esp.Verify: %v", v.valid, err)
			}
			if err != nil {
				return
			}
			if !got.OK() || got.Slot() != -1 {
				t.Errorf("Verified = %+v", got)
			}
			want, _ := esp.KeyDigest(vecPub(t, v.key))
			if got.KeyDigest() != want {
				t.Errorf("verified key digest %x, want %x", got.KeyDigest(), want)
			}
		})
	}
}

// TestVectorInvalidReasons pins why each broken vector fails. The bad-sig
// vector changed a signature byte without redoing the CRC, so the CRC is
// what the bootloader (and esp.Verify) trips over first.
//
// The ECDSA bad-sig vectors flip one bit of r and redo the CRC, so only the
// signature check can catch them; the bad-digest vectors flip one bit of the
// block's image digest and redo the CRC, so only the digest comparison can
// (espsecure calls all of them invalid, see espsecure-verdicts.txt).
func TestVectorInvalidReasons(t *testing.T) {
	for _, tt := range []struct {
		file, key string
		want      error
	}{
		{"app-sv3.rsa.tampered-body.bin", "rsa3072-a", esp.ErrChecksum},
		{"app-sv3.rsa.bad-crc.bin", "rsa3072-a", esp.ErrBlockCRC},
		{"app-sv3.rsa.bad-sig.bin", "rsa3072-a", esp.ErrBlockCRC},
		{"app-sv3.rsa.bad-digest.bin", "rsa3072-a", esp.ErrDigestMismatch},
		{"app-sv4-c6.p256.bad-sig.bin", "p256", esp.ErrBadSignature},
		{"app-sv4-c6.p384.bad-sig.bin", "p384", esp.ErrBadSignature},
		{"app-sv4-c6.p256.bad-digest.bin", "p256", esp.ErrDigestMismatch},
		{"app-sv3.rsa.signed.bin", "rsa3072-a", nil},
		{"app-sv4-c6.p256.signed.bin", "p256", nil},
		{"app-sv4-c6.p384.signed.bin", "p384", nil},
	} {
		_, err := esp.Verify(readFile(t, filepath.Join(vecDir, tt.file)), vecPub(t, tt.key))
		if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
			t.Errorf("%s with %s: got %v, want %v", tt.file, tt.key, err, tt.want)
		}
		if tt.want != nil && !errors.Is(err, esp.ErrNoValidSignature) && tt.want != esp.ErrChecksum && tt.want != esp.ErrBlockCRC {
			t.Errorf("%s with %s: %v is not esp.ErrNoValidSignature", tt.file, tt.key, err)
		}
	}
}

func TestVectorKeyDigests(t *testing.T) {
	for _, k := range vecKeys {
		got, err := esp.KeyDigest(vecPub(t, k))
		if err != nil {
			t.Fatal(err)
		}
		want := readFile(t, filepath.Join(vecDir, "keys", k+".digest.bin"))
		if !bytes.Equal(got[:], want) {
			t.Errorf("%s: key digest %x, want %x", k, got, want)
		}
	}
}

// TestVectorImages parses every vector and checks the facts the README
// states about it.
func TestVectorImages(t *testing.T) {
	tests := []struct {
		file    string
		chip    esp.Chip
		kind    esp.Kind
		secVer  uint32
		version string
		blocks  []string // key names per block
	}{
		{"app-sv3.bin", esp.ESP32C3, esp.KindApp, 3, "2.4.1", nil},
		{"app-sv3.rsa.signed.bin", esp.ESP32C3, esp.KindApp, 3, "2.4.1", []string{"rsa3072-a"}},
		{"app-sv3.rsa3.signed.bin", esp.ESP32C3, esp.KindApp, 3, "2.4.1", []string{"rsa3072-a", "rsa3072-b", "rsa3072-c"}},
		{"app-sv4-c6.bin", esp.ESP32C6, esp.KindApp, 4, "2.5.0", nil},
		{"app-sv4-c6.p256.signed.bin", esp.ESP32C6, esp.KindApp, 4, "2.5.0", []string{"p256"}},
		{"app-sv4-c6.p384.signed.bin", esp.ESP32C6, esp.KindApp, 4, "2.5.0", []string{"p384"}},
		{"boot-sv1.bin", esp.ESP32C3, esp.KindBootloader, 1, "", nil},
		{"boot-sv1.rsa.signed.bin", esp.ESP32C3, esp.KindBootloader, 1, "", []string{"rsa3072-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			img, err := esp.ParseImage(readFile(t, filepath.Join(vecDir, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if img.Header.Chip != tt.chip || img.Kind != tt.kind || img.SecureVersion() != tt.secVer {
				t.Errorf("chip %v kind %v secure version %d", img.Header.Chip, img.Kind, img.SecureVersion())
			}
			if tt.kind == esp.KindApp && (img.App.Version != tt.version || (tt.secVer == 3 && img.App.ProjectName != "infusion-pump")) {
				t.Errorf("app desc %+v", img.App)
			}
			if img.Signed() != (tt.blocks != nil) {
				t.Fatalf("signed = %v", img.Signed())
			}
			if tt.blocks == nil {
				return
			}
			sec, err := img.Signatures()
			if err != nil {
				t.Fatal(err)
			}
			if len(sec.Blocks) != len(tt.blocks) {
				t.Fatalf("%d blocks, want %d", len(sec.Blocks), len(tt.blocks))
			}
			for i, name := range tt.blocks {
				b := sec.Blocks[i]
				want := readFile(t, filepath.Join(vecDir, "keys", name+".digest.bin"))
				if b.Err != nil || !bytes.Equal(b.KeyDigest[:], want) {
					t.Errorf("block %d: err %v, key digest %x, want %x", i, b.Err, b.KeyDigest, want)
				}
			}
		})
	}
}

// TestBadSignatureWithGoodCRC redoes the CRC of the bad-sig vector, so the
// signature check itself must catch it.
func TestBadSignatureWithGoodCRC(t *testing.T) {
	file := readFile(t, filepath.Join(vecDir, "app-sv3.rsa.bad-sig.bin"))
	img, err := esp.ParseImage(file)
	if err != nil {
		t.Fatal(err)
	}
	fixCRC(file[img.PaddedLen : img.PaddedLen+esp.BlockSize])
	_, err = esp.Verify(file, vecPub(t, "rsa3072-a"))
	if !errors.Is(err, esp.ErrBadSignature) || !errors.Is(err, esp.ErrNoValidSignature) {
		t.Fatalf("got %v, want esp.ErrBadSignature", err)
	}
	var ve *esp.VerifyError
	if !errors.As(err, &ve) || len(ve.Blocks) != 1 {
		t.Fatalf("esp.VerifyError %+v", ve)
	}
}

// fixCRC recomputes a block's CRC: standard CRC-32 of bytes 0..1195,
// little-endian at 1196.
func fixCRC(b []byte) {
	binary.LittleEndian.PutUint32(b[1196:], crc32.ChecksumIEEE(b[:1196]))
}

// TestVectorCopies checks the copied vectors against the SHA256SUMS that
// came with them, and that every image file is covered by a test above.
func TestVectorCopies(t *testing.T) {
	sums := readFile(t, filepath.Join(vecDir, "SHA256SUMS"))
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			t.Fatalf("bad SHA256SUMS line %q", line)
		}
		got := sha256.Sum256(readFile(t, filepath.Join(vecDir, f[1])))
		if hex.EncodeToString(got[:]) != f[0] {
			t.Errorf("%s: sha256 %x, SHA256SUMS says %s", f[1], got, f[0])
		}
		listed[f[1]] = true
	}
	covered := map[string]bool{"app-sv3.bin": true, "app-sv4-c6.bin": true, "boot-sv1.bin": true}
	for _, v := range readVerdicts(t) {
		covered[v.file] = true
	}
	names, _ := filepath.Glob(filepath.Join(vecDir, "*.bin"))
	for _, n := range names {
		if b := filepath.Base(n); !covered[b] || !listed[b] {
			t.Errorf("%s: covered by a test %v, in SHA256SUMS %v", b, covered[b], listed[b])
		}
	}
}
