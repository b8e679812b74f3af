package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// runJSON runs a command with --format json and decodes its stdout.
func runJSON(t *testing.T, wantExit int, args ...string) map[string]any {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, now: time.Now}
	if got := run(e, append(args, "--format", "json")); got != wantExit {
		t.Fatalf("%v: exit %d, want %d\n%s%s", args, got, wantExit, out.String(), errOut.String())
	}
	var v map[string]any
	dec := json.NewDecoder(&out)
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%v: stdout is not one JSON object: %v\n%s", args, err, out.String())
	}
	return v
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestJSONShapes pins the documented JSON of each command with --format
// json (docs/cli-json.md): the keys, and the values scripts branch on.
func TestJSONShapes(t *testing.T) {
	dir := t.TempDir()
	if err := writeAuditFixture(dir); err != nil {
		t.Fatal(err)
	}
	vkey := filepath.Join(dir, "vkey")
	v := runJSON(t, 0, "audit", "verify", "--vkey-file", vkey, filepath.Join(dir, "export"))
	if want := []string{"checked", "checkpoints", "consistency_proofs", "entries", "first_bad", "inclusion_proofs", "not_checked",
		"origin", "problems", "sealed", "verdict", "warnings"}; !slices.Equal(keysOf(v), want) {
		t.Errorf("audit verify keys %v, want %v", keysOf(v), want)
	}
	if v["verdict"] != "OK" || v["first_bad"] != json.Number("-1") {
		t.Errorf("audit verify: %v", v)
	}
	v = runJSON(t, 5, "audit", "verify", filepath.Join(dir, "export"))
	if v["verdict"] != "UNPINNED" || !strings.Contains(v["reason"].(string), "pin the log's key") {
		t.Errorf("unpinned: %v", v)
	}
	v = runJSON(t, 1, "audit", "verify", "--vkey-file", vkey, "--last-seen", filepath.Join(dir, "last-seen"), filepath.Join(dir, "old-export"))
	if v["verdict"] != "TAMPERED" || len(v["problems"].([]any)) == 0 {
		t.Errorf("tampered: %v", v)
	}

	ev := t.TempDir()
	if err := writeEvidenceFixture(ev); err != nil {
		t.Fatal(err)
	}
	v = runJSON(t, 0, "evidence", "check", filepath.Join(ev, "good"), "--release-key", filepath.Join(ev, "release.pub.pem"))
	if want := []string{"manifest_sha256", "product", "release_key", "rows", "verdict", "version"}; !slices.Equal(keysOf(v), want) {
		t.Errorf("evidence check keys %v", keysOf(v))
	}
	row := v["rows"].([]any)[1].(map[string]any)
	if want := []string{"command", "detail", "files", "id", "result", "source", "warnings"}; !slices.Equal(keysOf(row), want) {
		t.Errorf("evidence row keys %v", keysOf(row))
	}
	if v["verdict"] != "PASS" || row["id"] != "FDA-SBOM" || row["result"] != "pass" {
		t.Errorf("evidence check: %v", v)
	}
	v = runJSON(t, 1, "evidence", "check", filepath.Join(ev, "no-notice"), "--release-key", filepath.Join(ev, "release.pub.pem"))
	if v["verdict"] != "FAIL" {
		t.Errorf("no notice: %v", v["verdict"])
	}

	sb := filepath.Join(t.TempDir(), "bom.json")
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[` +
		`{"type":"library","bom-ref":"a","name":"example.com/a","version":"v1.0.0","purl":"pkg:golang/example.com/a@v1.0.0"},` +
		`{"type":"library","bom-ref":"b","name":"esp-idf","version":"5.1"}]}`
	if err := os.WriteFile(sb, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	v = runJSON(t, 0, "sbom", "check", sb)
	if want := []string{"format", "scannable", "spec_version", "unscannable"}; !slices.Equal(keysOf(v), want) {
		t.Errorf("sbom check keys %v", keysOf(v))
	}
	u := v["unscannable"].([]any)[0].(map[string]any)
	if v["spec_version"] != "1.5" || v["scannable"] != json.Number("1") || u["bom_ref"] != "b" || u["path"] != "components[1]" {
		t.Errorf("sbom check: %v", v)
	}

	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }, now: time.Now}
	if got := run(e, []string{"sbom", "check", "--format", "json", sb + ".missing"}); got != 3 {
		t.Errorf("missing SBOM: exit %d, want 3 (could not check)", got)
	}

	v = runJSON(t, 0, "version")
	if want := []string{"go", "signbox"}; !slices.Equal(keysOf(v), want) {
		t.Errorf("version keys %v", keysOf(v))
	}
}

// TestFormatRefused: an unknown --format is a usage error (exit 2), and
// version no longer ignores flags it does not know.
func TestFormatRefused(t *testing.T) {
	for _, args := range [][]string{{"version", "--format", "yaml"}, {"version", "--json"}, {"sbom", "check", "--format", "xml", "x"}} {
		var out bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }, now: time.Now}
		if got := run(e, args); got != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, got, out.String())
		}
	}
}
