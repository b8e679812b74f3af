package mcuboot_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"signbox/device/mcuboot"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors and testdata/golden")

// vectors are the signed images under testdata/vectors: how each was made
// (key, body, options) is here, and testdata/README.md says the same.
var vectors = []struct {
	name, key string
	in        []byte
	opts      func() mcuboot.SignOptions
}{
	{"rsa2048", "rsa2048", body(1000, 7), baseOpts},
	{"rsa3072", "rsa3072", body(1000, 7), baseOpts},
	{"p256", "p256", body(1000, 7), baseOpts},
	{"p384", "p384", body(1000, 7), baseOpts},
	{"ed25519", "ed25519", body(1000, 7), baseOpts},
	{"ed25519-bare", "ed25519", append(make([]byte, 0x20), body(200, 8)...), func() mcuboot.SignOptions {
		return mcuboot.SignOptions{HeaderSize: 0x20, Version: mcuboot.Version{Major: 3}}
	}},
}

// TestVectors pins the exact bytes Sign produces. Ed25519 is
// deterministic, so its images must be re-made byte for byte; RSA-PSS and
// ECDSA are randomised, so everything but the signature value must be.
// Every vector must still verify, and Info's description of it must
// match testdata/golden. Run with -update after a deliberate format
// change and review the diff.
func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			file := filepath.Join("testdata", "vectors", v.name+".bin")
			golden := filepath.Join("testdata", "golden", v.name+".txt")
			out := sign(t, v.key, v.in, v.opts())
			if *update {
				writeFile(t, file, out)
				writeFile(t, golden, []byte(describe(t, out, v.key)))
				return
			}
			pinned := readFile(t, file)
			if err := samePinned(out, pinned, v.key); err != nil {
				t.Errorf("%s: %v", file, err)
			}
			if got := describe(t, pinned, v.key); got != string(readFile(t, golden)) {
				t.Errorf("%s differs from %s:\n%s", file, golden, got)
			}
		})
	}
}

// samePinned compares a fresh image with a pinned one: all bytes for
// Ed25519, all but the signature TLV for the randomised algorithms.
func samePinned(out, pinned []byte, key string) error {
	if key == "ed25519" || key == "ed25519-other" {
		if !bytes.Equal(out, pinned) {
			return fmt.Errorf("Ed25519 image is no longer byte-identical")
		}
		return nil
	}
	a, err := mcuboot.Parse(out)
	if err != nil {
		return err
	}
	b, err := mcuboot.Parse(pinned)
	if err != nil {
		return err
	}
	// Hashed region, hash TLV and KEYHASH TLV: everything up to the
	// signature TLV's value, except the area total (ECDSA DER varies).
	sa, sb := a.Unprotected[2].Offset, b.Unprotected[2].Offset
	u := a.HashedLen()
	if sa != sb || !bytes.Equal(out[:u+2], pinned[:u+2]) || !bytes.Equal(out[u+4:sa+2], pinned[u+4:sb+2]) {
		return fmt.Errorf("bytes before the signature value changed")
	}
	return nil
}

func describe(t *testing.T, file []byte, key string) string {
	img, err := mcuboot.Parse(file)
	if err != nil {
		return "parse error: " + err.Error() + "\n"
	}
	s := img.Info()
	v, err := img.Verify(loadKey(t, key).Public(), mcuboot.VerifyOptions{AllowNoSecurityCounter: !img.HasSecurityCounter})
	if err != nil {
		return s + "verify: " + err.Error() + "\n"
	}
	return s + fmt.Sprintf("verify with %s: OK, %s, key hash %x\n", key, v.Algorithm(), v.KeyHash())
}

func writeFile(t *testing.T, name string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
