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
		back, err := decodeRecord(wire)
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
		r, err := decodeRecord(data)
		if err != nil {
			return
		}
		wire := encodeRecord(r)
		back, err := decodeRecord(wire)
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
