package sbom

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the SBOM reader: it must return an
// error or a result, never panic, and every component it accepts must have
// an ecosystem, a name and a version.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/seed/*")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/seed")
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, FormatAuto)
		if err != nil {
			return
		}
		for _, c := range s.Components {
			if c.Ecosystem == "" || c.Name == "" || c.Version == "" {
				t.Fatalf("accepted component without identity: %+v", c)
			}
		}
	})
}

func FuzzParsePURL(f *testing.F) {
	for _, s := range []string{"pkg:golang/github.com/foo/bar@v1.2.3", "pkg:npm/%40babel/core@7.0.0#sub",
		"pkg:deb/debian/openssl@3.0?distro=bookworm&arch=amd64", "pkg:maven/g/a@1?type=jar"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePURL(s)
		if err == nil && (p.Type == "" || p.Name == "") {
			t.Fatalf("accepted %q without type or name", s)
		}
	})
}
