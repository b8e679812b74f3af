package vuln

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

var (
	testCreated = time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)
	testDate    = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	testFresh   = Freshness{CeremonyDate: testDate, MaxAge: 30 * 24 * time.Hour}
)

// zipOf builds an all.zip from named JSON entries.
func zipOf(t testing.TB, entries map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = io.WriteString(w, entries[n])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// snapshot writes <eco>/all.zip for each ecosystem and a manifest.
func snapshot(t testing.TB, zips map[string][]byte) string {
	dir := t.TempDir()
	for eco, data := range zips {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, eco), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, eco, "all.zip"), data, 0o644))
	}
	m, err := WriteManifest(dir, testCreated, "test")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestName), m, 0o644))
	return dir
}

// dirZip zips every JSON file in a testdata directory.
func dirZip(t testing.TB, dir string) []byte {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, dir)
	entries := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		entries[filepath.Base(p)] = string(data)
	}
	return zipOf(t, entries)
}

func importFeed(t testing.TB, src string) *Feed {
	dst := filepath.Join(t.TempDir(), "feed")
	_, err := Import(src, dst, testFresh)
	require.NoError(t, err)
	f, err := OpenFeed(dst, testFresh)
	require.NoError(t, err)
	return f
}

func readSBOM(t testing.TB, path string) *sbom.SBOM {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		require.NoError(t, err)
		data, err = io.ReadAll(zr)
		require.NoError(t, err)
	}
	s, err := sbom.Parse(data, sbom.FormatAuto)
	require.NoError(t, err)
	return s
}

// pairs flattens findings into "RECORD component-key" lines, the form the
// independent evaluator (testdata/real/expected.py) writes.
func pairs(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		for _, r := range f.Records {
			out = append(out, r+" "+f.Component.Key())
		}
	}
	sort.Strings(out)
	return out
}

func expectedLines(t testing.TB, path string) []string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// TestRealFeeds scans real SBOMs against real records (extracted from the
// Go vulnerability database and RustSec into testdata/real) and compares
// with findings computed independently from the OSV rules.
func TestRealFeeds(t *testing.T) {
	feed := importFeed(t, snapshot(t, map[string][]byte{
		"Go":        dirZip(t, "testdata/real/Go"),
		"crates.io": dirZip(t, "testdata/real/crates.io"),
	}))
	for _, tc := range []struct{ sbom, expected string }{
		{"testdata/real/proton-bridge-v1.8.0.cdx.json.gz", "testdata/real/proton-bridge.expected"},
		{"testdata/real/crates.cdx.json", "testdata/real/crates.expected"},
	} {
		t.Run(filepath.Base(tc.sbom), func(t *testing.T) {
			res, err := Scan(feed, readSBOM(t, tc.sbom))
			require.NoError(t, err)
			require.Equal(t, expectedLines(t, tc.expected), pairs(res))
			require.Empty(t, res.Uncovered)
		})
	}
}

func TestRealRatings(t *testing.T) {
	feed := importFeed(t, snapshot(t, map[string][]byte{"crates.io": dirZip(t, "testdata/real/crates.io")}))
	res, err := Scan(feed, readSBOM(t, "testdata/real/crates.cdx.json"))
	require.NoError(t, err)
	got := map[string]Rating{}
	for _, f := range res.Findings {
		got[f.ID] = f.Rating
	}
	// CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H is 9.8 (NVD's score for CVE-2018-20991).
	require.Equal(t, Rating{Severity: SeverityCritical, Score: 9.8, Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Method: "CVSSv3"}, got["RUSTSEC-2018-0003"])
	// AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N is 5.3.
	require.Equal(t, 5.3, got["RUSTSEC-2017-0002"].Score)
	// A CVSS v4 vector alone is scored.
	require.Equal(t, Rating{Severity: SeverityLow, Score: 2.3, Vector: "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", Method: "CVSSv4"}, got["RUSTSEC-2024-0445"])
	// No vector and no severity word: unknown.
	require.Equal(t, Rating{Severity: SeverityUnknown}, got["RUSTSEC-2022-0022"])
	// Aliases come from the record.
	for _, f := range res.Findings {
		if f.ID == "RUSTSEC-2018-0003" {
			require.Equal(t, []string{"CVE-2018-20991", "GHSA-rxr4-x558-x7hw"}, f.Aliases)
			require.Equal(t, "SEMVER range", f.Match)
		}
	}
}
