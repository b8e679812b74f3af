package vuln

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/sbom"

	"signbox/internal/atomicfile"
)

func rec(id, body string) string {
	return `{"id":"` + id + `","modified":"2026-01-01T00:00:00Z"` + body + `}`
}

const goAffected = `,"affected":[{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]`

func TestParseRecordRejects(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"not json", `{"id":`, "unexpected EOF"},
		{"trailing", rec("GO-1", "") + `{}`, "trailing data"},
		{"no id", `{"modified":"2026-01-01T00:00:00Z"}`, `id "" is missing`},
		{"bad id", rec("../etc/passwd", ""), "not an OSV identifier"},
		{"bad modified", `{"id":"X-1","modified":"yesterday"}`, "modified"},
		{"bad withdrawn", rec("X-1", `,"withdrawn":"soon"`), "withdrawn"},
		{"range type", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"DATE","events":[{"introduced":"0"}]}]}]`), `type "DATE"`},
		{"git without repo", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}]`), "GIT range without repo"},
		{"no introduced", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"fixed":"1.0.0"}]}]}]`), "no introduced event"},
		{"fixed and last_affected", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1"},{"last_affected":"2"}]}]}]`), "both fixed and last_affected"},
		{"two keys in event", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]`), "X-1: event has more than one key"},
		{"unknown event", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"patched":"1"}]}]}]`), `unknown event "patched"`},
		{"number event", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":0}]}]}]`), `event "introduced": want a string`},
		{"empty event", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{}]}]}]`), "event has no key"},
		{"empty event version", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":""}]}]}]`), "empty version"},
		{"no events", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER"}]}]`), "0 events"},
		{"no package", rec("X-1", `,"affected":[{"versions":["1.0"]}]`), "package ecosystem and name are required"},
		{"empty version", rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"versions":[""]}]`), "versions[0] is empty"},
		{"invalid CVSS vector", rec("GHSA-2222-3333-4444", `,"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]`),
			`malformed OSV record: GHSA-2222-3333-4444: severity[0]: invalid CVSS vector: CVSS_V3 vector "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": `},
		{"invalid CVSS v4 vector in affected", rec("RUSTSEC-2099-0001", `,"affected":[{"package":{"ecosystem":"crates.io","name":"m"},"versions":["1.0.0"],"severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N"}]}]`),
			`malformed OSV record: RUSTSEC-2099-0001: affected[0]: severity[0]: invalid CVSS vector: CVSS_V4 vector "CVSS:4.0/AV:N": `},
		{"oversized", rec("X-1", `,"details":"`+strings.Repeat("x", MaxRecordBytes)+`"`), "more than 1048576"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRecord([]byte(tc.doc))
			require.ErrorIs(t, err, ErrMalformedRecord)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestParseRecordEscapedEventKey(t *testing.T) {
	// "intro\u0064uced" is "introduced" once JSON escapes are applied.
	r, err := ParseRecord([]byte(rec("X-1", `,"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"intro\u0064uced" : "1.0.0"}]}]}]`)))
	require.NoError(t, err)
	require.Equal(t, "1.0.0", r.Affected[0].Ranges[0].Events[0].Introduced)
}

func TestParseRecordAcceptsGitOnlyWithoutPackage(t *testing.T) {
	// PSF advisories describe CPython by commit only.
	_, err := ParseRecord([]byte(rec("PSF-2023-1", `,"affected":[{"ranges":[{"type":"GIT","repo":"https://github.com/python/cpython","events":[{"introduced":"0"}]}]}],"unknown_future_field":1`)))
	require.NoError(t, err)
}

func TestImportRefusals(t *testing.T) {
	good := zipOf(t, map[string]string{"GO-1.json": rec("GO-1", goAffected)})
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		fresh Freshness
		is    error
		want  string
	}{
		{"hash mismatch", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "Go", "all.zip"), append(good, 0), 0o644))
		}, testFresh, ErrFeedHash, "Go/all.zip has sha256"},
		{"unlisted zip", func(t *testing.T, dir string) {
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "npm"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "npm", "all.zip"), good, 0o644))
		}, testFresh, ErrFeedHash, "npm/all.zip is not listed"},
		{"no manifest", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, ManifestName)))
		}, testFresh, ErrFeedHash, "feed.json is missing"},
		{"manifest traversal", func(t *testing.T, dir string) {
			m := `{"kind":"signbox.osv-feed/v1","source":"x","snapshot":"2026-08-21T00:00:00Z","files":[{"ecosystem":"Go","path":"../Go/all.zip","sha256":"` + strings.Repeat("0", 64) + `","size":1}]}`
			require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestName), []byte(m), 0o644))
		}, testFresh, nil, `files[0].path`},
		{"symlinked zip", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "Go", "all.zip")
			real := filepath.Join(t.TempDir(), "all.zip")
			require.NoError(t, os.Rename(p, real))
			require.NoError(t, os.Symlink(real, p))
		}, testFresh, ErrFeedHash, "not a regular file"},
		{"too old", func(*testing.T, string) {}, Freshness{CeremonyDate: testCreated.Add(40 * 24 * time.Hour), MaxAge: 30 * 24 * time.Hour},
			ErrFeedTooOld, "is 40.0 days old on the ceremony date 2026-09-30; policy allows 30.0 days"},
		{"from the future", func(*testing.T, string) {}, Freshness{CeremonyDate: testCreated.Add(-48 * time.Hour), MaxAge: time.Hour},
			nil, "after the ceremony date"},
		{"no freshness", func(*testing.T, string) {}, Freshness{}, nil, "needs a ceremony date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := snapshot(t, map[string][]byte{"Go": good})
			tc.setup(t, src)
			dst := filepath.Join(t.TempDir(), "feed")
			_, err := Import(src, dst, tc.fresh)
			require.Error(t, err)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			require.ErrorContains(t, err, tc.want)
			require.NoDirExists(t, dst)
		})
	}
}

func TestImportNeverOverwrites(t *testing.T) {
	src := snapshot(t, map[string][]byte{"Go": zipOf(t, map[string]string{"GO-1.json": rec("GO-1", goAffected)})})
	dst := filepath.Join(t.TempDir(), "feed")
	require.NoError(t, os.Mkdir(dst, 0o755))
	_, err := Import(src, dst, testFresh)
	require.ErrorIs(t, err, atomicfile.ErrExists)
}

func TestOpenFeedDetectsTampering(t *testing.T) {
	src := snapshot(t, map[string][]byte{"Go": zipOf(t, map[string]string{"GO-1.json": rec("GO-1", goAffected)})})
	dst := filepath.Join(t.TempDir(), "feed")
	_, err := Import(src, dst, testFresh)
	require.NoError(t, err)
	f, err := OpenFeed(dst, testFresh)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(f.Digest(), "sha256:"))

	p := filepath.Join(dst, RecordsName)
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	// Same size, one byte changed: the chunk holding it fails its hash
	// when a scan reads it.
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(data), "2.0.0", "1.0.0", 1)), 0o644))
	f, err = OpenFeed(dst, testFresh)
	require.NoError(t, err)
	s, err := sbom.Parse([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"m","purl":"pkg:golang/example.com/m@v1.0.0"}]}`), sbom.FormatJSON)
	require.NoError(t, err)
	_, err = Scan(f, s)
	require.ErrorIs(t, err, ErrIndexCorrupt)
	require.ErrorContains(t, err, "records.bin at 0 does not match the hash in index.json")
	// A different size is caught on open.
	require.NoError(t, os.WriteFile(p, append(data, 0), 0o644))
	_, err = OpenFeed(dst, testFresh)
	require.ErrorIs(t, err, ErrIndexCorrupt)

	_, err = OpenFeed(dst, Freshness{CeremonyDate: testDate.Add(365 * 24 * time.Hour), MaxAge: 24 * time.Hour})
	require.ErrorIs(t, err, ErrFeedTooOld)
}

// TestScanFeedRules runs withdrawn records, alias merging, duplicates
// across zips and uncovered ecosystems through a whole import and scan.
func TestScanFeedRules(t *testing.T) {
	mod := func(name, fixed string) string {
		return `,"affected":[{"package":{"ecosystem":"Go","name":"` + name + `"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"` + fixed + `"}]}]}]`
	}
	src := snapshot(t, map[string][]byte{
		"Go": zipOf(t, map[string]string{
			"GO-2024-0001.json": rec("GO-2024-0001", `,"aliases":["CVE-2024-1"]`+mod("example.com/a", "2.0.0")),
			"GO-2024-0002.json": rec("GO-2024-0002", `,"withdrawn":"2024-05-01T00:00:00Z"`+mod("example.com/a", "2.0.0")),
			"GO-2024-0003.json": rec("GO-2024-0003", `,"aliases":["CVE-2024-3"]`+mod("example.com/a", "3.0.0")),
			// Shares CVE-2024-1 with GO-2024-0001 and names GO-2024-0003:
			// all three are one vulnerability.
			"GHSA-aaaa-bbbb-cccc.json": rec("GHSA-aaaa-bbbb-cccc", `,"aliases":["CVE-2024-1","GO-2024-0003"]`+mod("example.com/a", "2.5.0")),
			"GO-2024-0009.json":        rec("GO-2024-0009", mod("example.com/b", "1.0.0")),
		}),
		"crates.io": zipOf(t, map[string]string{
			// The same GHSA record in a second zip is kept once.
			"GHSA-aaaa-bbbb-cccc.json": rec("GHSA-aaaa-bbbb-cccc", `,"aliases":["CVE-2024-1","GO-2024-0003"]`+mod("example.com/a", "2.5.0")),
		}),
	})
	feed := importFeed(t, src)
	s := readSBOM(t, "testdata/scan.cdx.json")
	res, err := Scan(feed, s)
	require.NoError(t, err)
	require.Len(t, res.Findings, 1)
	f := res.Findings[0]
	require.Equal(t, "GHSA-aaaa-bbbb-cccc", f.ID)
	require.Equal(t, []string{"CVE-2024-1", "CVE-2024-3", "GO-2024-0001", "GO-2024-0003"}, f.Aliases)
	require.Equal(t, []string{"GHSA-aaaa-bbbb-cccc", "GO-2024-0001", "GO-2024-0003"}, f.Records)
	require.Equal(t, []string{"2.0.0", "2.5.0", "3.0.0"}, f.Fixed)
	require.Equal(t, 2, res.Scanned) // a and b; b is fixed
	require.Len(t, res.Uncovered, 1)
	require.Equal(t, "npm", res.Uncovered[0].Ecosystem)
	require.Len(t, res.Unscannable, 1)
	require.Equal(t, "no version in the component or its purl", res.Unscannable[0].Reason)
}
