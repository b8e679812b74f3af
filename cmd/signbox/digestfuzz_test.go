package main

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadDigest: the --efuse-digest file comes from the device side
// (espsecure digest_sbv2_public_key output, or its hex). Reading never
// panics, and what it accepts is exactly 32 bytes that the file holds raw
// or as hex. Seeds: the espsecure vector key digests.
func FuzzReadDigest(f *testing.F) {
	seeds, _ := filepath.Glob("../../device/esp/testdata/vectors/keys/*.digest.bin")
	if len(seeds) == 0 {
		f.Fatal("no digest seeds")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add([]byte(hex.EncodeToString(b) + "\n"))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "digest")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := readDigest(p)
		if err != nil {
			return
		}
		if len(d) != 32 {
			t.Fatalf("accepted %d bytes", len(d))
		}
		if string(d) != string(b) && hex.EncodeToString(d) != strings.ToLower(strings.TrimSpace(string(b))) {
			t.Fatalf("accepted %x from a file holding %q", d, b)
		}
	})
}
