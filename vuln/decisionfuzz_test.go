package vuln

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadDecisions: the VEX decisions file lives in the workspace and is
// edited by people. Loading never panics; what loads re-encodes, and the
// re-encoded file loads to the same decisions (same digest). Seeds: files
// written by Decisions.Record itself.
func FuzzLoadDecisions(f *testing.F) {
	seedDir := f.TempDir()
	ds, err := LoadDecisions(seedDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, d := range []Decision{
		{Vuln: "CVE-2018-20991", Component: "crates.io/smallvec@0.6.2", State: StateInTriage, By: "alice", At: decidedAt},
		{Vuln: "GO-2020-0001", Component: "Go/github.com/gin-gonic/gin@1.4.0", State: StateExploitable, Responses: []string{"update"}, By: "bob", At: decidedAt},
	} {
		if err := ds.Record(d); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(seedDir, DecisionsName))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":"signbox-vex-decisions/1","decisions":[{"vuln":"X","component":"c","state":"bogus","by":"a","at":"2026-01-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, DecisionsName), b, 0o600); err != nil {
			t.Fatal(err)
		}
		ds, err := LoadDecisions(dir)
		if err != nil {
			return
		}
		out, err := ds.encode()
		if err != nil {
			t.Fatalf("loaded decisions do not encode: %v", err)
		}
		again := t.TempDir()
		if err := os.WriteFile(filepath.Join(again, DecisionsName), out, 0o600); err != nil {
			t.Fatal(err)
		}
		back, err := LoadDecisions(again)
		if err != nil {
			t.Fatalf("re-encoded decisions do not load: %v", err)
		}
		if back.Digest() != ds.Digest() {
			t.Fatal("re-encoding changed the decisions")
		}
	})
}
