package vuln

import (
	"os"
	"path/filepath"
	"testing"
	"time"

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

func readSharedSBOM(tb testing.TB, name string) *sbom.SBOM {
	f, err := os.Open(filepath.Join(sharedData(tb), "sbom", name))
	must(tb, err)
	defer f.Close()
	s, err := sbom.Read(f, sbom.FormatJSON)
	must(tb, err)
	return s
}

func TestSmokeReal(t *testing.T) {
	src := realSnapshot(t, "Go", "crates.io")
	dst := filepath.Join(t.TempDir(), "feed")
	start := time.Now()
	info, err := Import(src, dst, benchFresh())
	must(t, err)
	t.Logf("import %v: %+v", time.Since(start), info.Ecosystems)
	start = time.Now()
	feed, err := OpenFeed(dst, benchFresh())
	must(t, err)
	s := readSharedSBOM(t, "proton-bridge-v1.8.0.cdx.json")
	res, err := Scan(feed, s)
	must(t, err)
	t.Logf("open+scan %v: %d findings, %d scanned", time.Since(start), len(res.Findings), res.Scanned)
	pk := map[string]bool{}
	n := 0
	for _, f := range res.Findings {
		pk[f.Component.Name] = true
		n += len(f.Records)
	}
	t.Logf("pkgs %d records %d", len(pk), n)
	fi, _ := os.Stat(filepath.Join(dst, RecordsName))
	t.Logf("records size %d", fi.Size())
}
