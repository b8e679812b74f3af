package sbom

import (
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"signbox/airgap"
)

const supportSBOM = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
"components":[
 {"type":"library","bom-ref":"a","name":"a","version":"1.0.0","purl":"pkg:golang/example.com/a@v1.0.0",
  "properties":[{"name":"keep","value":"1"},{"name":"signbox:fda:support-level","value":"none"}],
  "components":[{"type":"library","bom-ref":"a/inner","name":"inner","version":"0.1.0"}]},
 {"type":"library","bom-ref":"b","name":"b","version":"2.0.0","purl":"pkg:golang/example.com/b@v2.0.0"}]}`

func mustSupport(t *testing.T, level, date string) Support {
	t.Helper()
	s, err := ParseSupport(level, date)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAddSupportJSON: entries by purl or bom-ref win over the default,
// nested components are covered, other properties and fields are kept,
// and the result reads back with the support ReleaseSBOM takes from it.
func TestAddSupportJSON(t *testing.T) {
	def := mustSupport(t, "unknown", "2031-12-31")
	out, err := AddSupportJSON([]byte(supportSBOM), SupportTable{Default: &def, ByRef: map[string]Support{
		"pkg:golang/example.com/a@v1.0.0": mustSupport(t, "active", "2030-06-30")}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(out, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Support{}
	for i := range *s.BOM.Components {
		walkSupport(t, &(*s.BOM.Components)[i], got)
	}
	want := map[string]Support{"a": mustSupport(t, "active", "2030-06-30"), "a/inner": def, "b": def}
	if len(got) != len(want) {
		t.Fatalf("support %v", got)
	}
	for k, w := range want {
		if got[k].Level != w.Level || !got[k].EndOfSupport.Equal(w.EndOfSupport) {
			t.Errorf("%s: %+v, want %+v", k, got[k], w)
		}
	}
	if !strings.Contains(string(out), `"name": "keep"`) || strings.Count(string(out), PropSupportLevel) != 3 ||
		!strings.Contains(string(out), "urn:uuid:3e671687") {
		t.Fatalf("document not kept:\n%s", out)
	}
}

func walkSupport(t *testing.T, c *cdx.Component, got map[string]Support) {
	s, err := supportFor(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	got[c.BOMRef] = s
	if c.Components != nil {
		for i := range *c.Components {
			walkSupport(t, &(*c.Components)[i], got)
		}
	}
}

func TestAddSupportJSONRefusals(t *testing.T) {
	def := mustSupport(t, "active", "2030-01-01")
	for name, tc := range map[string]struct {
		sbom string
		tab  SupportTable
		want string
	}{
		"unknown ref":   {supportSBOM, SupportTable{ByRef: map[string]Support{"pkg:npm/left-pad@1": def}}, `support for "pkg:npm/left-pad@1": no component`},
		"spec 1.2":      {strings.Replace(supportSBOM, `"1.6"`, `"1.2"`, 1), SupportTable{Default: &def}, "CycloneDX 1.2 has no component properties"},
		"not cdx":       {`{"bomFormat":"SPDX"}`, SupportTable{Default: &def}, "bomFormat"},
		"xml":           {`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`, SupportTable{Default: &def}, "malformed SBOM"},
		"trailing data": {supportSBOM + "{}", SupportTable{Default: &def}, "malformed SBOM"},
	} {
		_, err := AddSupportJSON([]byte(tc.sbom), tc.tab)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if _, err := ParseSupport("great", "2030-01-01"); err == nil {
		t.Error("level great accepted")
	}
	if _, err := ParseSupport("none", "2030-02-30"); err == nil {
		t.Error("date 2030-02-30 accepted")
	}
}

// TestSupportLevelsAgree: the clinical file's levels (airgap) are
// exactly SupportLevel's values.
func TestSupportLevelsAgree(t *testing.T) {
	for _, l := range airgap.SupportLevels {
		if !SupportLevel(l).valid() {
			t.Errorf("airgap level %q is not a SupportLevel", l)
		}
	}
	mine := []string{string(SupportActive), string(SupportLimited), string(SupportNone), string(SupportUnknown)}
	if !slices.Equal(mine, airgap.SupportLevels) {
		t.Errorf("levels %v, airgap has %v", mine, airgap.SupportLevels)
	}
}
