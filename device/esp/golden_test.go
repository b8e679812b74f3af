package esp_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/device/esp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// TestVectorGolden pins everything ParseImage and ParseSignatureSector
// report for each espsecure vector; run with -update after a deliberate
// change and review the diff.
func TestVectorGolden(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(vecDir, "*.bin"))
	if len(names) == 0 {
		t.Fatal("no vectors")
	}
	for _, n := range names {
		base := filepath.Base(n)
		t.Run(base, func(t *testing.T) {
			got := describe(readFile(t, n))
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(base, ".bin")+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := readFile(t, golden)
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update to see the diff in git):\n%s", base, golden, got)
			}
		})
	}
}

func describe(file []byte) string {
	var w bytes.Buffer
	img, err := esp.ParseImage(file)
	if err != nil {
		fmt.Fprintf(&w, "parse error: %v\n", err)
		return w.String()
	}
	fmt.Fprintf(&w, "header: %+v\n", img.Header)
	fmt.Fprintf(&w, "kind %s, len %d, padded %d, checksum %#02x, hash %x\n", img.Kind, img.Len, img.PaddedLen, img.Checksum, img.Hash)
	for i, s := range img.Segments {
		fmt.Fprintf(&w, "segment %d: %+v\n", i, s)
	}
	switch {
	case img.App != nil:
		fmt.Fprintf(&w, "app: %+v\n", *img.App)
	case img.Bootloader != nil:
		fmt.Fprintf(&w, "bootloader: %+v\n", *img.Bootloader)
	default:
		fmt.Fprintf(&w, "bootloader without descriptor\n")
	}
	fmt.Fprintf(&w, "digest sha256 %x\n", img.Digest(esp.SchemeRSA3072))
	sec, err := img.Signatures()
	if err != nil {
		fmt.Fprintf(&w, "signatures: %v\n", err)
		return w.String()
	}
	for _, b := range sec.Blocks {
		fmt.Fprintf(&w, "block %d: %s key %x crc %#08x err %v\n  image digest %x\n  signature %x\n",
			b.Index, b.Scheme, b.KeyDigest, b.CRC, b.Err, b.ImageDigest, b.Signature)
	}
	return w.String()
}
