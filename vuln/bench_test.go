package vuln

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"signbox/sbom"
)

// sharedData returns /work/shared/data (or $SIGNBOX_SHARED/data), skipping
// the benchmark when it is absent.
func sharedData(tb testing.TB) string {
	root := os.Getenv("SIGNBOX_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "shared")
	}
	dir := filepath.Join(root, "data")
	if _, err := os.Stat(filepath.Join(dir, "osv", "Go", "all.zip")); err != nil {
		tb.Skipf("shared data not found at %s", dir)
	}
	return dir
}

// realSnapshot links the shared feeds into a snapshot directory with a
// manifest, as the connected side would prepare it.
func realSnapshot(tb testing.TB, ecos ...string) string {
	src := filepath.Join(sharedData(tb), "osv")
	dir := tb.TempDir()
	for _, e := range ecos {
		must(tb, os.Mkdir(filepath.Join(dir, e), 0o755))
		data, err := os.ReadFile(filepath.Join(src, e, "all.zip"))
		must(tb, err)
		must(tb, os.WriteFile(filepath.Join(dir, e, "all.zip"), data, 0o644))
	}
	m, err := WriteManifest(dir, time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC), "shared/data")
	must(tb, err)
	must(tb, os.WriteFile(filepath.Join(dir, ManifestName), m, 0o644))
	return dir
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

var benchDate = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func benchFresh() Freshness { return Freshness{CeremonyDate: benchDate, MaxAge: 30 * 24 * time.Hour} }

// importShared imports the shared feeds once per benchmark, outside the
// timer: import happens once per snapshot, scans happen per ceremony.
func importShared(b *testing.B, ecos ...string) string {
	src := realSnapshot(b, ecos...)
	dst := filepath.Join(b.TempDir(), "feed")
	_, err := Import(src, dst, benchFresh())
	must(b, err)
	return dst
}

func sharedSBOMBytes(b *testing.B, name string) []byte {
	data, err := os.ReadFile(filepath.Join(sharedData(b), "sbom", name))
	must(b, err)
	return data
}

// scanOnce is what `signbox vuln scan` does per run: load the imported
// feed from disk (index.json + records.jsonl, hash-checked), parse the
// SBOM, match.
func scanOnce(b *testing.B, feedDir string, sbomData []byte) *Result {
	feed, err := OpenFeed(feedDir, benchFresh())
	must(b, err)
	s, err := sbom.Parse(sbomData, sbom.FormatJSON)
	must(b, err)
	res, err := Scan(feed, s)
	must(b, err)
	return res
}

// BenchmarkScanProtonBridge: 201 Go modules against the whole Go feed,
// counting feed loading. Peer: osv-scanner 2.5 offline, 0.45 s.
func BenchmarkScanProtonBridge(b *testing.B) {
	dir := importShared(b, "Go")
	data := sharedSBOMBytes(b, "proton-bridge-v1.8.0.cdx.json")
	b.ResetTimer()
	for b.Loop() {
		if res := scanOnce(b, dir, data); len(res.Findings) != 58 {
			b.Fatalf("%d findings, want 58", len(res.Findings))
		}
	}
}

// BenchmarkScanSynthetic2000: 1,000 Go modules and 1,000 crates named in
// the feeds, half of them at an affected version, against Go + crates.io.
// Peer: osv-scanner 2.5 offline, 2.15 s for 1,034 Go modules.
func BenchmarkScanSynthetic2000(b *testing.B) {
	dir := importShared(b, "Go", "crates.io")
	data := syntheticSBOM(b, dir, 1000)
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		res = scanOnce(b, dir, data)
	}
	b.ReportMetric(float64(len(res.Findings)), "findings")
}

// BenchmarkImportGo: the one-time import of the Go all.zip (3.2 MB, 4,291
// records) into the workspace index.
func BenchmarkImportGo(b *testing.B) {
	src := realSnapshot(b, "Go")
	for b.Loop() {
		_, err := Import(src, filepath.Join(b.TempDir(), "feed"), benchFresh())
		must(b, err)
	}
}

// BenchmarkImportAndScanProtonBridge counts the zip import too, for a
// comparison with osv-scanner reading all.zip on every run.
func BenchmarkImportAndScanProtonBridge(b *testing.B) {
	src := realSnapshot(b, "Go")
	data := sharedSBOMBytes(b, "proton-bridge-v1.8.0.cdx.json")
	for b.Loop() {
		dst := filepath.Join(b.TempDir(), "feed")
		_, err := Import(src, dst, benchFresh())
		must(b, err)
		scanOnce(b, dst, data)
	}
}

// syntheticSBOM builds a CycloneDX SBOM from package names in the feed:
// perEco Go modules and perEco crates, every other one at a version inside
// its first record's first range, the rest at a version past every fix.
func syntheticSBOM(b testing.TB, feedDir string, perEco int) []byte {
	feed, err := OpenFeed(feedDir, benchFresh())
	must(b, err)
	keys := make([]string, 0, len(feed.Info.Packages))
	for k := range feed.Info.Packages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	counts := map[string]int{}
	var comps []cdx.Component
	for _, k := range keys {
		eco, name, _ := strings.Cut(k, "/")
		if (eco != "Go" && eco != "crates.io") || counts[eco] >= perEco {
			continue
		}
		recs, err := feed.lookup(eco, name)
		must(b, err)
		v := "999.0.0"
		if counts[eco]%2 == 0 {
			v = affectedVersion(recs[0], name)
		}
		counts[eco]++
		purl := map[string]string{"Go": "pkg:golang/", "crates.io": "pkg:cargo/"}[eco] + name + "@" + v
		comps = append(comps, cdx.Component{Type: cdx.ComponentTypeLibrary, BOMRef: purl, Name: name, Version: v, PackageURL: purl})
	}
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.Components = &comps
	var buf strings.Builder
	must(b, cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).EncodeVersion(bom, cdx.SpecVersion1_6))
	return []byte(buf.String())
}

func affectedVersion(r *Record, name string) string {
	for _, a := range r.Affected {
		if a.Package.Name != name || len(a.Ranges) == 0 {
			continue
		}
		for _, e := range a.Ranges[0].Events {
			if e.Introduced != "" && e.Introduced != "0" {
				return e.Introduced
			}
		}
		return "0.0.1"
	}
	return "0.0.1"
}

// TestWriteSyntheticSBOM writes the synthetic 2,000-component SBOM to
// $SIGNBOX_WRITE_SYNTHETIC, for measuring `signbox vuln scan` (and peers)
// as whole processes with /usr/bin/time.
func TestWriteSyntheticSBOM(t *testing.T) {
	out := os.Getenv("SIGNBOX_WRITE_SYNTHETIC")
	if out == "" {
		t.Skip("SIGNBOX_WRITE_SYNTHETIC not set")
	}
	src := realSnapshot(t, "Go", "crates.io")
	dst := filepath.Join(t.TempDir(), "feed")
	_, err := Import(src, dst, benchFresh())
	must(t, err)
	must(t, os.WriteFile(out, syntheticSBOM(t, dst, 1000), 0o644))
}

// BenchmarkScanVEXSynthetic1000 is what `signbox vuln scan --vex` does in
// process: open the feed, parse the SBOM, match, gate, write the VEX.
// In-process only: whole-process figures come from scripts/scan-bench.sh.
func BenchmarkScanVEXSynthetic1000(b *testing.B) {
	dir := importShared(b, "Go")
	data := syntheticSBOM(b, dir, 1000)
	ds, err := LoadDecisions(b.TempDir())
	must(b, err)
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		res = scanOnce(b, dir, data)
		s, err := sbom.Parse(data, sbom.FormatJSON)
		must(b, err)
		Gate(res, ds, GatePolicy{})
		var buf bytes.Buffer
		must(b, WriteVEX(&buf, res, ds, VEXInfo{Timestamp: benchDate, SBOM: s}))
	}
	b.ReportMetric(float64(len(res.Findings)), "findings")
}
