package vuln

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseRecord: any bytes give a record or an error, never a panic; an
// accepted record re-encodes and parses again to the same record, which is
// what the index relies on.
func FuzzParseRecord(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/real/*/*.json")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/real")
	}
	for _, p := range seeds[:10] {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(rec("GO-1", goAffected)))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRecord(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ParseRecord(again)
		if err != nil {
			t.Fatalf("re-encoded record rejected: %v", err)
		}
		b2, _ := json.Marshal(r2)
		if string(b2) != string(again) {
			t.Fatalf("round trip changed the record:\n%s\n%s", again, b2)
		}
		// The index's binary form round-trips too.
		wire := encodeRecord(r)
		back, err := decodeRecord(string(wire))
		if err != nil {
			t.Fatalf("decode own encoding: %v", err)
		}
		if string(encodeRecord(back)) != string(wire) {
			t.Fatalf("binary round trip changed %s", r.ID)
		}
	})
}

// FuzzDecodeRecord: index bytes are hash-checked on open, but the decoder
// must still never panic or allocate without bound on any input.
func FuzzDecodeRecord(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/real/*/*.json")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/real")
	}
	for _, p := range seeds[:5] {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		r, err := ParseRecord(data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encodeRecord(r))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord(string(data))
		if err != nil {
			return
		}
		wire := encodeRecord(r)
		back, err := decodeRecord(string(wire))
		if err != nil || string(encodeRecord(back)) != string(wire) {
			t.Fatalf("re-encoding is not stable: %v", err)
		}
	})
}

// FuzzRangeEvaluation: evaluating arbitrary events against an arbitrary
// version never panics, for every ordering signbox uses.
func FuzzRangeEvaluation(f *testing.F) {
	f.Add("SEMVER", "Go", "0", "1.2.3", "1.0.0")
	f.Add("ECOSYSTEM", "PyPI", "1.0rc1", "1.0", "1.0.post1")
	f.Add("ECOSYSTEM", "Debian", "0", "1:2.0-1", "2.0")
	f.Fuzz(func(t *testing.T, typ, eco, intro, fixed, version string) {
		if intro == "" || fixed == "" {
			return
		}
		rg := Range{Type: typ, Events: []Event{{Introduced: intro}, {Fixed: fixed}}}
		_, _, _ = inRange(&rg, eco, version)
	})
}

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
