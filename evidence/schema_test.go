package evidence_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// csafSchema compiles the OASIS CSAF 2.0 schema with the CVSS schemas it
// references, all from testdata (no network), with formats asserted.
func csafSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for url, file := range map[string]string{
		"https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json": "csaf_json_schema.json",
		"https://www.first.org/cvss/cvss-v2.0.json":                        "cvss-v2.0.json",
		"https://www.first.org/cvss/cvss-v3.0.json":                        "cvss-v3.0.json",
		"https://www.first.org/cvss/cvss-v3.1.json":                        "cvss-v3.1.json",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "schema", file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateCSAF(t *testing.T, s *jsonschema.Schema, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("advisory does not validate against the CSAF 2.0 schema:\n%v", err)
	}
}

func mustJSON(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
