package esp_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
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

// FuzzParseImage: the parser never panics, and an unsigned image it
// accepts is never taken for its own signed form.
func FuzzParseImage(f *testing.F) {
	for _, b := range seedFiles(f, filepath.Join(vecDir, "*.bin")) {
		f.Add(b)
	}
	f.Add(esptest.App(1024, 1))
	f.Add(esptest.Bootloader(2048, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := esp.ParseImage(b)
		if err != nil {
			var fe *esp.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		if img.Len > len(b) || img.PaddedLen%esp.SectorSize != 0 {
			t.Fatalf("Len %d PaddedLen %d for %d bytes", img.Len, img.PaddedLen, len(b))
		}
		if img.Signed() {
			img.Signatures() // must not panic
			return
		}
		if err := esp.CheckAppended(b, b); !errors.Is(err, esp.ErrImageChanged) {
			t.Fatalf("CheckAppended(b, b): %v", err)
		}
	})
}
