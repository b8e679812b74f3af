package vuln

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(p, got, 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

var decidedAt = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)

func cratesScan(t *testing.T) *Result {
	feed := importFeed(t, snapshot(t, map[string][]byte{"crates.io": dirZip(t, "testdata/real/crates.io")}))
	res, err := Scan(feed, readSBOM(t, "testdata/real/crates.cdx.json"))
	require.NoError(t, err)
	return res
}

func TestDecisionsPersistAndDigest(t *testing.T) {
	dir := t.TempDir()
	ds, err := LoadDecisions(dir)
	require.NoError(t, err)
	empty := ds.Digest()
	d := Decision{Vuln: "CVE-2018-20991", Component: "crates.io/smallvec@0.6.2", State: StateInTriage, By: "alice", At: decidedAt}
	require.NoError(t, ds.Record(d))
	require.NotEqual(t, empty, ds.Digest())
	d.State, d.Responses = StateExploitable, []string{"update"}
	require.NoError(t, ds.Record(d)) // replaces, does not add
	back, err := LoadDecisions(dir)
	require.NoError(t, err)
	require.Equal(t, ds.Digest(), back.Digest())
	require.Len(t, back.All(), 1)
	require.Equal(t, StateExploitable, back.All()[0].State)

	require.NoError(t, os.WriteFile(filepath.Join(dir, DecisionsName), []byte(`{"format":"signbox-vex-decisions/1","decisions":[{"vuln":"X","component":"c","state":"bogus","by":"a","at":"2026-01-01T00:00:00Z"}]}`), 0o644))
	_, err = LoadDecisions(dir)
	require.ErrorContains(t, err, `decisions[0]: state "bogus"`)
}

// triaged records decisions for the crates scan: by alias for smallvec
// (the decision must still find RUSTSEC-2018-0003), and leaves gaps the
// gate must catch.
func triaged(t *testing.T, res *Result) *Decisions {
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	rec := func(d Decision) {
		d.By, d.At = "alice@example.com", decidedAt
		require.NoError(t, ds.Record(d))
	}
	for _, f := range res.Findings {
		d := Decision{Vuln: f.ID, Component: f.Component.Key()}
		switch {
		case f.ID == "RUSTSEC-2018-0003" && f.Component.Version == "0.6.2":
			d.Vuln, d.State, d.Responses = "CVE-2018-20991", StateExploitable, []string{"update"}
		case f.ID == "RUSTSEC-2024-0445":
			d.State = StateInTriage
		case f.Component.Name == "hyper" && f.Component.Version == "0.9.18":
			d.State, d.Justification, d.Detail = StateNotAffected, "code_not_reachable", "The HTTP server is not built into the firmware."
		case f.ID == "RUSTSEC-2019-0013":
			continue // no decision at all
		case f.ID == "RUSTSEC-2017-0002":
			d.State, d.Responses, d.Detail = StateExploitable, []string{"will_not_fix"}, "The firmware builds no headers from input."
		default:
			d.State, d.Detail = StateFalsePositive, "Component is only used by the host-side test harness."
		}
		rec(d)
	}
	rec(Decision{Vuln: "RUSTSEC-1999-0001", Component: "crates.io/nothing@1.0.0", State: StateInTriage})
	return ds
}

func TestGate(t *testing.T) {
	res := cratesScan(t)
	ds := triaged(t, res)
	g := Gate(res, ds, GatePolicy{BlockInTriage: true, BlockAtOrAbove: SeverityHigh})
	require.False(t, g.Pass())
	var got []string
	for _, b := range g.Blocking {
		got = append(got, b.String())
	}
	require.Equal(t, []string{
		// Its CVSS v4 vector scores 2.3 (low): below the threshold.
		"RUSTSEC-2024-0445 in crates.io/cap-primitives@3.4.0: still in_triage",
		"RUSTSEC-2018-0003 in crates.io/smallvec@0.6.2: exploitable and critical severity (policy blocks high and above)",
		"RUSTSEC-2019-0013 in crates.io/spin@0.5.0: no triage decision",
	}, got)
	require.Len(t, g.Stale, 1)
	require.Equal(t, ds.Digest(), g.DecisionsDigest)

	// A looser policy: only missing decisions block.
	g = Gate(res, ds, GatePolicy{})
	require.Len(t, g.Blocking, 1)
}

func TestGateUnchecked(t *testing.T) {
	res := &Result{Unscannable: []sbom.Unscannable{{Path: "components[3]", Reason: "no purl, so its ecosystem is unknown"}},
		Uncovered: []sbom.Component{{Path: "components[4]", Ecosystem: "npm"}}}
	ds, _ := LoadDecisions(t.TempDir())
	g := Gate(res, ds, GatePolicy{})
	require.Len(t, g.Blocking, 2)
	require.Equal(t, "components[4]: not scanned: the feed has no npm records", g.Blocking[1].String())
	require.True(t, Gate(res, ds, GatePolicy{AllowUnchecked: true}).Pass())
}

func TestVEXAndReportGolden(t *testing.T) {
	res := cratesScan(t)
	res.FeedDigest = "sha256:feed" // temp dirs differ per run; pin for the golden
	ds := triaged(t, res)
	var vex bytes.Buffer
	require.NoError(t, WriteVEX(&vex, res, ds, VEXInfo{Timestamp: decidedAt, SBOMDigest: "sha256:sbom", SBOM: readSBOM(t, "testdata/real/crates.cdx.json"),
		ApprovedBy: []string{"alice sha256:" + strings.Repeat("a1", 32), "bob sha256:" + strings.Repeat("b2", 32)}, PlanDigest: "sha256:" + strings.Repeat("9f", 32)}))
	golden(t, "crates.vex.golden.json", vex.Bytes())
	require.NotContains(t, vex.String(), "signbox:decided-by", "the VEX names the quorum as the decider, never the operator's free text")
	back, err := sbom.Parse(vex.Bytes(), sbom.FormatJSON)
	require.NoError(t, err)
	require.Len(t, *back.BOM.Vulnerabilities, len(res.Findings))

	g := Gate(res, ds, GatePolicy{BlockInTriage: true, BlockAtOrAbove: SeverityHigh})
	var rep bytes.Buffer
	require.NoError(t, WriteReport(&rep, res, ds, g, ReportInfo{Title: "infusion-pump 2.1.0", SBOM: "crates.cdx.json", Date: decidedAt}))
	golden(t, "crates.report.golden.md", rep.Bytes())
}
