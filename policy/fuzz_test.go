package policy

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		f.Fatal("no seed policies in testdata")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		// Whatever parses must re-validate and keep its exact bytes.
		if err := p.validate(); err != nil {
			t.Fatalf("parsed policy fails validation: %v", err)
		}
		if string(p.Bytes()) != string(data) {
			t.Fatal("bytes changed")
		}
	})
}
