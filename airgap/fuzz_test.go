package airgap

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed files under testdata/seeds")

// seeds loads every file matching glob and fails if there are none: a
// fuzz target whose seed glob silently matches nothing tests nothing.
func seeds(f *testing.F, glob string) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed files match %s (run go test ./airgap -run TestWriteSeeds -update)", glob)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestWriteSeeds regenerates the seed corpora from the hostile-media
// cases with -update, and otherwise checks they exist.
func TestWriteSeeds(t *testing.T) {
	if !*update {
		for _, g := range []string{"tar/*.tar", "request/*.json", "feed/*.json", "clinical/*"} {
			if m, _ := filepath.Glob(filepath.Join("testdata", "seeds", g)); len(m) == 0 {
				t.Fatalf("no seeds for %s", g)
			}
		}
		return
	}
	for _, d := range []string{"tar", "request", "feed"} {
		if err := os.MkdirAll(filepath.Join("testdata", "seeds", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range hostileCases {
		if tc.opts != nil || i%3 != 0 && tc.want != nil {
			continue
		}
		ms := tc.edit(t, validRequest(t))
		writeTestTar(t, filepath.Join("testdata", "seeds", "tar", fmt60(tc.name)+".tar"), ms)
		if ms[0].name == RequestManifest {
			os.WriteFile(filepath.Join("testdata", "seeds", "request", fmt60(tc.name)+".json"), ms[0].data, 0o644)
		}
	}
	feed, _ := json.MarshalIndent(Feed{Kind: KindFeed, Source: "osv.dev", Snapshot: "2026-11-20T06:00:00Z",
		Files: []FeedFile{{Ecosystem: "Go", FileRef: FileRef{Path: "Go/all.zip", SHA256: sum(nil), Size: 0}}}}, "", "  ")
	os.WriteFile(filepath.Join("testdata", "seeds", "feed", "valid.json"), feed, 0o644)
}

func fmt60(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !safeByte(c) {
			b[i] = '-'
		}
	}
	return string(b)
}

// FuzzScanTar feeds arbitrary bytes to the tar scanner: it must never
// panic, and whatever it accepts must obey the name rules.
func FuzzScanTar(f *testing.F) {
	for _, s := range seeds(f, "testdata/seeds/tar/*.tar") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newScanner(Limits{MaxEntries: 64, MaxManifestBytes: 1 << 16, MaxFileBytes: 1 << 16, MaxTotalBytes: 1 << 20}, nil, 0)
		if err := s.scanTarStream(bytes.NewReader(b)); err != nil {
			return
		}
		folded := map[string]bool{}
		for p := range s.files {
			if err := CheckPath(p); err != nil {
				t.Fatalf("accepted %q: %v", p, err)
			}
			if folded[foldKey(p)] {
				t.Fatalf("accepted case collision %q", p)
			}
			folded[foldKey(p)] = true
		}
	})
}

// FuzzParseRequest: anything accepted re-encodes to something that parses
// to the same request.
func FuzzParseRequest(f *testing.F) {
	for _, s := range seeds(f, "testdata/seeds/request/*.json") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRequest(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ParseRequest(again)
		if err != nil {
			t.Fatalf("re-encoded request rejected: %v", err)
		}
		a, _ := json.Marshal(r2)
		if !bytes.Equal(a, again) {
			t.Fatalf("round trip changed the request")
		}
	})
}

func FuzzParseFeed(f *testing.F) {
	for _, s := range seeds(f, "testdata/seeds/feed/*.json") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fd, err := ParseFeed(b)
		if err != nil {
			return
		}
		again, _ := json.Marshal(fd)
		if _, err := ParseFeed(again); err != nil {
			t.Fatalf("re-encoded feed rejected: %v", err)
		}
	})
}

// FuzzParseClinicalFile feeds YAML and JSON to the clinical file parser:
// it must never panic, and whatever it accepts re-encodes as JSON that
// parses to the same file and carries a clinical block that validates.
func FuzzParseClinicalFile(f *testing.F) {
	for _, s := range seeds(f, "testdata/seeds/clinical/*") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cf, err := ParseClinicalFile(b)
		if err != nil {
			return
		}
		if cf.Clinical == nil || cf.Clinical.Validate() != nil {
			t.Fatalf("accepted a file without a valid clinical block")
		}
		again, err := json.Marshal(cf)
		if err != nil {
			t.Fatal(err)
		}
		cf2, err := ParseClinicalFile(again)
		if err != nil {
			t.Fatalf("re-encoded file rejected: %v\n%s", err, again)
		}
		a, _ := json.Marshal(cf2)
		if !bytes.Equal(a, again) {
			t.Fatalf("round trip changed the file")
		}
	})
}
