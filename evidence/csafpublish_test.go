package evidence_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"signbox/evidence"
)

// TestCSAFFileName: the examples of CSAF 2.0 §5.1.
func TestCSAFFileName(t *testing.T) {
	for id, want := range map[string]string{
		"cisco-sa-20190513-secureboot":  "cisco-sa-20190513-secureboot.json",
		"Example Company - 2019-YH3234": "example_company_-_2019-yh3234.json",
		"RHBA-2019:0024":                "rhba-2019_0024.json",
		"2022_#01-A":                    "2022_01-a.json",
		"infusion-pump-2.5.0-sv4":       "infusion-pump-2_5_0-sv4.json",
	} {
		if got := evidence.CSAFFileName(id); got != want {
			t.Errorf("CSAFFileName(%q) = %q, want %q", id, got, want)
		}
	}
	if advisoryPath != "csaf/infusion-pump-2_5_0-sv4.json" {
		t.Errorf("advisory path %s", advisoryPath)
	}
}

// TestAdvisoryTLPAndSelfReference: the label defaults to WHITE, can be
// set, and names the folder of the canonical URL the self reference gives.
func TestAdvisoryTLPAndSelfReference(t *testing.T) {
	for tlp, want := range map[string]string{"": "WHITE", "GREEN": "GREEN"} {
		in := demoInputs(t)
		in.TLP = tlp
		docs, err := evidence.Generate(in)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Document struct {
				Distribution struct{ TLP struct{ Label string } }
				References   []struct{ Category, URL string }
			}
		}
		if err := json.Unmarshal(docs[advisoryPath], &d); err != nil {
			t.Fatal(err)
		}
		if d.Document.Distribution.TLP.Label != want {
			t.Errorf("TLP %q: label %q", tlp, d.Document.Distribution.TLP.Label)
		}
		self := "https://example-medical.test/.well-known/csaf/" + strings.ToLower(want) + "/2026/infusion-pump-2_5_0-sv4.json"
		if len(d.Document.References) != 1 || d.Document.References[0].Category != "self" || d.Document.References[0].URL != self {
			t.Errorf("TLP %q: references %+v, want self %s", tlp, d.Document.References, self)
		}
	}
	in := demoInputs(t)
	in.TLP = "CLEAR" // TLP 2.0; CSAF 2.0 has the TLP 1.0 labels only
	if _, err := evidence.Generate(in); err == nil || !strings.Contains(err.Error(), `TLP: "CLEAR" is not one of`) {
		t.Fatalf("got %v", err)
	}
}

// editAdvisory changes the advisory's JSON before the bundle is signed.
func editAdvisory(t *testing.T, fn func(doc map[string]any)) func(map[string][]byte) {
	return func(d map[string][]byte) {
		var doc map[string]any
		if err := json.Unmarshal(d[advisoryPath], &doc); err != nil {
			t.Fatal(err)
		}
		fn(doc)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		d[advisoryPath] = b
	}
}

// TestCheckAdvisoryPublishing: evidence check refuses an advisory without
// its TLP label or self reference, or named against CSAF 2.0 §5.1.
func TestCheckAdvisoryPublishing(t *testing.T) {
	document := func(doc map[string]any) map[string]any { return doc["document"].(map[string]any) }
	for name, tc := range map[string]struct {
		edit func(doc map[string]any)
		want string
	}{
		"no TLP": {func(doc map[string]any) { delete(document(doc), "distribution") }, "no TLP label in document.distribution.tlp"},
		"no self reference": {func(doc map[string]any) { delete(document(doc), "references") },
			"0 self references, want 1 (the canonical URL)"},
		"self reference elsewhere": {func(doc map[string]any) {
			document(doc)["references"].([]any)[0].(map[string]any)["url"] = "https://example-medical.test/advisory.json"
		}, "is not an https URL ending in 2026/infusion-pump-2_5_0-sv4.json"},
		"tracking id renamed": {func(doc map[string]any) {
			document(doc)["tracking"].(map[string]any)["id"] = "EM-2026-001"
		}, `tracking id "EM-2026-001" needs the file name em-2026-001.json (CSAF 2.0 §5.1)`},
	} {
		t.Run(name, func(t *testing.T) {
			_, res, files := demoBundle(t, editAdvisory(t, tc.edit))
			rep := evidence.Check(res, files)
			i := slices.IndexFunc(rep.Rows, func(r evidence.Result) bool { return r.Row.ID == "FDA-VULN" })
			if rep.Rows[i].Pass || !strings.Contains(rep.Rows[i].Detail, tc.want) {
				t.Fatalf("FDA-VULN should fail with %q:\n%s", tc.want, report(rep))
			}
		})
	}
}
