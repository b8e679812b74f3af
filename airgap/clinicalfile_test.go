package airgap

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestParseClinicalFileExample: the documented example parses in YAML and,
// converted, in JSON to the same block; identifiers and dates keep their
// text.
func TestParseClinicalFileExample(t *testing.T) {
	raw, err := os.ReadFile("testdata/seeds/clinical/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseClinicalFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Clinical
	if c.UDIDI != "00812345678901" || *c.DowntimeMinutes != 12 || !*c.Reboot.Required || len(c.Rollout.Waves) != 2 {
		t.Fatalf("clinical %+v", c)
	}
	if !strings.HasPrefix(c.Impact, "The pump stops infusing") || !strings.HasSuffix(c.Impact, "infusing.\n") {
		t.Fatalf("impact %q", c.Impact)
	}
	if f.Support.Default.EndOfSupport != "2031-12-31" || f.Support.Components[0].Level != "active" {
		t.Fatalf("support %+v", f.Support)
	}
	js, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseClinicalFile(js)
	if err != nil {
		t.Fatalf("JSON form: %v", err)
	}
	again, _ := json.Marshal(g)
	if string(again) != string(js) {
		t.Fatalf("JSON form differs:\n%s\n%s", again, js)
	}
}

func TestParseClinicalFileMinimalJSON(t *testing.T) {
	raw, err := os.ReadFile("testdata/seeds/clinical/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseClinicalFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.Support != nil || *f.Clinical.DowntimeMinutes != 0 {
		t.Fatalf("%+v", f)
	}
}

// TestParseClinicalFileRefusals: each refusal names what is wrong.
func TestParseClinicalFileRefusals(t *testing.T) {
	const ok = "clinical:\n  impact: x\n  install_minutes: 5\n  downtime_minutes: 0\n  reboot: {required: false}\n" +
		"  rollback: y\n  udi_di: \"00812345678901\"\n  mds2_ref: M\n"
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "yaml: EOF"},
		{"no clinical", "support: {default: {level: active, end_of_support: 2030-01-01}}\n", "clinical is required"},
		{"missing fields", "clinical:\n  impact: x\n", "missing required fields: clinical.install_minutes, clinical.downtime_minutes, clinical.reboot, clinical.rollback, clinical.udi_di, clinical.mds2_ref"},
		{"unknown field", ok + "  downtime: 3\n", `unknown field "downtime"`},
		{"unknown top-level", ok + "notes: x\n", `unknown field "notes"`},
		{"wrong case", strings.Replace(ok, "impact", "Impact", 1), `unknown field "Impact"`},
		{"duplicate key", ok + "  impact: z\n", `duplicate key "impact"`},
		{"duplicate key json", `{"clinical":{"impact":"a","impact":"b"}}`, `duplicate key "impact"`},
		{"float minutes", strings.Replace(ok, "install_minutes: 5", "install_minutes: 5.5", 1), "cannot unmarshal number 5.5"},
		{"hex minutes", strings.Replace(ok, "install_minutes: 5", "install_minutes: 0x5", 1), "cannot unmarshal string"},
		{"numeric udi", strings.Replace(ok, `"00812345678901"`, "812345678901", 1), "cannot unmarshal number"},
		{"bad check digit", strings.Replace(ok, "01\"", "02\"", 1), "GS1 check digit"},
		{"yes is not a boolean", strings.Replace(ok, "required: false", "required: True", 1), "write booleans as true or false"},
		{"alias", "clinical: &c {impact: x}\nagain: *c\n", "aliases are not allowed"},
		{"merge key", "base: &b {impact: x}\nclinical:\n  <<: *b\n", "keys must be plain strings"},
		{"two documents", ok + "---\n" + ok, "more than one document"},
		{"custom tag", strings.Replace(ok, "rollback: y", "rollback: !!binary eQ==", 1), "tag !!binary is not allowed"},
		{"control character", strings.Replace(ok, "rollback: y", `rollback: "a\x07b"`, 1), "control character"},
		{"too big", ok + "# " + strings.Repeat("x", MaxClinicalFileBytes), "more than 262144"},
		{"support level", ok + "support: {default: {level: great, end_of_support: 2030-01-01}}\n", `support.default.level: "great", want one of`},
		{"support date", ok + "support: {default: {level: active, end_of_support: 2030-13-01}}\n", `support.default.end_of_support: "2030-13-01" is not a date`},
		{"support no date", ok + "support: {components: [{ref: a, level: none}]}\n", "support.components[0].end_of_support is required"},
		{"support no ref", ok + "support: {components: [{level: none, end_of_support: 2030-01-01}]}\n", "support.components[0].ref is required"},
		{"support ref twice", ok + "support: {components: [{ref: a, level: none, end_of_support: 2030-01-01}, {ref: a, level: none, end_of_support: 2030-01-01}]}\n", `support.components[1].ref: "a" listed twice`},
		{"support empty", ok + "support: {}\n", "give a default, components"},
		{"deep nesting", ok + "support: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", "nesting deeper than"},
	} {
		_, err := ParseClinicalFile([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestClinicalFileErrorIsClinicalError: a clinical block with problems
// still reports every field at once, as the appliance does.
func TestClinicalFileErrorIsClinicalError(t *testing.T) {
	_, err := ParseClinicalFile([]byte("clinical: {impact: x, install_minutes: -1}\n"))
	var ce *ClinicalError
	if !errors.As(err, &ce) || len(ce.Missing) == 0 || len(ce.Invalid) != 1 {
		t.Fatalf("%v", err)
	}
}
