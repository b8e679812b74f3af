package vuln

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCVSS: any severity entry gives a scored vector or an error,
// never a panic. An accepted vector keeps its text, scores within 0-10
// with the rating its version's table gives, and parses again to the same.
func FuzzParseCVSS(f *testing.F) {
	paths, _ := filepath.Glob("testdata/real/*/*.json")
	seeds := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		r, err := ParseRecord(data)
		if err != nil {
			f.Fatal(err)
		}
		for _, s := range r.Severity {
			f.Add(s.Type, s.Score)
			seeds++
		}
	}
	if seeds == 0 {
		f.Fatal("no CVSS vectors in testdata/real")
	}
	f.Add("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P")
	f.Add("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O")
	f.Add("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/CR:H")
	f.Fuzz(func(t *testing.T, typ, vector string) {
		c, err := ParseCVSS(typ, vector)
		if err != nil {
			return
		}
		if c.Vector != vector || c.Score < 0 || c.Score > 10 {
			t.Fatalf("%s %q: got %+v", typ, vector, c)
		}
		want := cvssSeverity(c.Score)
		if typ == "CVSS_V2" {
			want = cvss2Severity(c.Score)
		}
		if c.Severity != want {
			t.Fatalf("%s %q: score %v rated %s, want %s", typ, vector, c.Score, c.Severity, want)
		}
		if again, err := ParseCVSS(typ, vector); err != nil || again != c {
			t.Fatalf("%s %q: second parse %+v, %v", typ, vector, again, err)
		}
	})
}
