package evidence

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden pins every document of the demo release.
func TestGolden(t *testing.T) {
	docs, err := Generate(demoInputs(t, goldenImages))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(Documents()) {
		t.Fatalf("got %d documents, want %d", len(docs), len(Documents()))
	}
	for _, name := range Documents() {
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, docs[name], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != string(docs[name]) {
			t.Errorf("%s differs from %s (run go test -update)", name, golden)
		}
	}
}

// TestAdvisorySchema validates the demo advisory and its variants against
// the OASIS CSAF 2.0 schema.
func TestAdvisorySchema(t *testing.T) {
	s := csafSchema(t)
	tests := map[string]func(in *Inputs){
		"demo":        func(in *Inputs) {},
		"no findings": func(in *Inputs) { in.VEX = emptyVEX },
		"not staged":  func(in *Inputs) { in.Clinical.Rollout = nil },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			in := demoInputs(t, goldenImages)
			edit(&in)
			docs, err := Generate(in)
			if err != nil {
				t.Fatal(err)
			}
			validateCSAF(t, s, docs[AdvisoryName])
		})
	}
	t.Run("schema catches a bad document", func(t *testing.T) {
		docs, err := Generate(demoInputs(t, goldenImages))
		if err != nil {
			t.Fatal(err)
		}
		bad := strings.Replace(string(docs[AdvisoryName]), `"csaf_version": "2.0"`, `"csaf_version": "2.1"`, 1)
		inst := []byte(bad)
		if err := s.Validate(mustJSON(t, inst)); err == nil {
			t.Fatal("schema accepted csaf_version 2.1")
		}
	})
}

var emptyVEX = []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"timestamp":"2026-11-21T00:00:00Z"}}`)

func TestGenerateRefuses(t *testing.T) {
	in := demoInputs(t, goldenImages)
	in.Clinical = nil
	if _, err := Generate(in); !errors.Is(err, ErrNoClinical) {
		t.Fatalf("no clinical block: got %v, want ErrNoClinical", err)
	}
	in = demoInputs(t, goldenImages)
	in.Manufacturer, in.Namespace, in.Clinical.UDIDI = "", "ftp://x", ""
	_, err := Generate(in)
	if !errors.Is(err, ErrInputs) {
		t.Fatalf("got %v, want ErrInputs", err)
	}
	for _, want := range []string{"Manufacturer is required", `Namespace: "ftp://x"`, "clinical.udi_di"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	in = demoInputs(t, goldenImages)
	in.Files = in.Files[1:] // no bootloader is fine, but no images at all is not
	in.Files = []string{"sbom.cdx.json", "vex.cdx.json"}
	if _, err := Generate(in); err == nil || !strings.Contains(err.Error(), "no file under images/") {
		t.Fatalf("bundle without images: got %v", err)
	}
	in = demoInputs(t, goldenImages)
	in.SecurityVersion = Versions{Old: 5, New: 4}
	if _, err := Generate(in); err == nil || !strings.Contains(err.Error(), "new 4 below old 5") {
		t.Fatalf("security version going down: got %v", err)
	}
}
