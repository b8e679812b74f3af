package evidence_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/evidence"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden pins every document of the demo release.
func TestGolden(t *testing.T) {
	docs, err := evidence.Generate(demoInputs(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(demoDocs) {
		t.Fatalf("got %d documents, want %d", len(docs), len(demoDocs))
	}
	for _, name := range demoDocs {
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
	tests := map[string]func(in *evidence.Inputs){
		"demo":        func(in *evidence.Inputs) {},
		"no findings": func(in *evidence.Inputs) { in.VEX = emptyVEX },
		"not staged":  func(in *evidence.Inputs) { in.Clinical.Rollout = nil },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			in := demoInputs(t)
			edit(&in)
			docs, err := evidence.Generate(in)
			if err != nil {
				t.Fatal(err)
			}
			validateCSAF(t, docs[advisoryPath])
		})
	}
	t.Run("schema catches a bad document", func(t *testing.T) {
		docs, err := evidence.Generate(demoInputs(t))
		if err != nil {
			t.Fatal(err)
		}
		bad := strings.Replace(string(docs[advisoryPath]), `"csaf_version": "2.0"`, `"csaf_version": "2.1"`, 1)
		err = evidence.ValidateCSAF([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), `CSAF 2.0 schema: /document/csaf_version: "2.1"`) {
			t.Fatalf("schema accepted csaf_version 2.1: %v", err)
		}
	})
}

var emptyVEX = []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"timestamp":"2026-11-21T00:00:00Z"}}`)

func TestGenerateRefuses(t *testing.T) {
	in := demoInputs(t)
	in.Clinical = nil
	if _, err := evidence.Generate(in); !errors.Is(err, evidence.ErrNoClinical) {
		t.Fatalf("no clinical block: got %v, want evidence.ErrNoClinical", err)
	}
	in = demoInputs(t)
	in.Manufacturer, in.Namespace, in.Clinical.UDIDI = "", "ftp://x", ""
	_, err := evidence.Generate(in)
	if !errors.Is(err, evidence.ErrInputs) {
		t.Fatalf("got %v, want evidence.ErrInputs", err)
	}
	for _, want := range []string{"Manufacturer is required", `Namespace: "ftp://x"`, "clinical.udi_di"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	in = demoInputs(t)
	in.Files = []string{"sbom.cdx.json", "vex.cdx.json"}
	if _, err := evidence.Generate(in); err == nil || !strings.Contains(err.Error(), "no file under images/") {
		t.Fatalf("bundle without images: got %v", err)
	}
	in = demoInputs(t)
	in.Files = append(in.Files, "images/app.bin", "../x", evidence.NoticeName)
	_, err = evidence.Generate(in)
	for _, want := range []string{`"images/app.bin" listed twice`, `"../x"`, `"NOTICE.md" is written by bundle or evidence itself`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad Files: error %v does not name %q", err, want)
		}
	}
	in = demoInputs(t)
	in.SecurityVersion = evidence.Versions{Old: 5, New: 4}
	if _, err := evidence.Generate(in); err == nil || !strings.Contains(err.Error(), "new 4 below old 5") {
		t.Fatalf("security version going down: got %v", err)
	}
}
