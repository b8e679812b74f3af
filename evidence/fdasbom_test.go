package evidence_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"signbox/evidence"
)

// editSBOM changes the release SBOM of a bundle before it is signed.
func editSBOM(t *testing.T, fn func(doc map[string]any, comps []any)) func(map[string][]byte) {
	return func(d map[string][]byte) {
		var doc map[string]any
		if err := json.Unmarshal(d[evidence.SBOMName], &doc); err != nil {
			t.Fatal(err)
		}
		fn(doc, doc["components"].([]any))
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		d[evidence.SBOMName] = b
	}
}

func setSupport(c any, level, eos string) {
	var props []any
	if level != "" {
		props = append(props, map[string]any{"name": "signbox:fda:support-level", "value": level})
	}
	if eos != "" {
		props = append(props, map[string]any{"name": "signbox:fda:end-of-support", "value": eos})
	}
	c.(map[string]any)["properties"] = props
}

// TestFDASBOMRow: the row fails on missing minimum elements (a
// component's supplier included) and support fields, and warns (still
// passing) on a support level nobody knows.
func TestFDASBOMRow(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(doc map[string]any, comps []any)
		pass     bool
		want     string // in the detail when failing, in a warning when passing
		warnings int
	}{
		{"no suppliers", func(_ map[string]any, comps []any) {
			for _, c := range comps {
				delete(c.(map[string]any), "supplier")
			}
		}, false, "4 of 4 components name no supplier (an NTIA minimum element)", 0},
		{"one supplier missing", func(_ map[string]any, comps []any) { delete(comps[2].(map[string]any), "supplier") },
			false, "1 of 4 components name no supplier (an NTIA minimum element): lwip 2.1.3", 0},
		{"support unknown", func(_ map[string]any, comps []any) { setSupport(comps[1], "unknown", "") },
			true, "1 of 4 components have support level unknown (no end-of-support date): mbedtls 3.4.0", 1},
		{"no manufacturer", func(doc map[string]any, _ []any) {
			md := doc["metadata"].(map[string]any)
			delete(md, "manufacturer")
			delete(md, "authors")
		}, false, "metadata lacks manufacturer, authors", 0},
		{"no tools", func(doc map[string]any, _ []any) { delete(doc["metadata"].(map[string]any), "tools") },
			false, "metadata lacks tools", 0},
		{"no support level", func(_ map[string]any, comps []any) { setSupport(comps[0], "", "2030-01-01") },
			false, `1 components lack FDA support fields: esp-idf 5.1.2: support level ""`, 0},
		{"known level without date", func(_ map[string]any, comps []any) { setSupport(comps[2], "active", "") },
			false, `lwip 2.1.3: end-of-support ""`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res, files := demoBundle(t, editSBOM(t, tt.edit))
			rep := evidence.Check(res, files)
			i := slices.IndexFunc(rep.Rows, func(r evidence.Result) bool { return r.Row.ID == "FDA-SBOM" })
			row := rep.Rows[i]
			if row.Pass != tt.pass || len(row.Warnings) != tt.warnings {
				t.Fatalf("pass=%v with %d warnings, want %v and %d:\n%s", row.Pass, len(row.Warnings), tt.pass, tt.warnings, report(rep))
			}
			got := row.Detail + strings.Join(row.Warnings, "\n")
			if !strings.Contains(got, tt.want) {
				t.Fatalf("FDA-SBOM does not say %q:\n%s", tt.want, report(rep))
			}
			if tt.pass && !strings.Contains(report(rep), "FDA-SBOM          warn") {
				t.Fatalf("report does not mark the row warn:\n%s", report(rep))
			}
		})
	}
}

// TestGenerateRefusesAnSBOMWithoutMinimumElements: the documents are
// not written for an SBOM the FDA row would fail.
func TestGenerateRefusesAnSBOMWithoutMinimumElements(t *testing.T) {
	in := demoInputs(t)
	d := map[string][]byte{evidence.SBOMName: in.SBOM}
	editSBOM(t, func(doc map[string]any, _ []any) { delete(doc["metadata"].(map[string]any), "supplier") })(d)
	in.SBOM = d[evidence.SBOMName]
	_, err := evidence.Generate(in)
	if err == nil || !strings.Contains(err.Error(), "sbom.cdx.json: metadata lacks supplier") {
		t.Fatalf("got %v", err)
	}
}
