package vuln

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// realFindings scans the real SBOMs (proton-bridge, whose gin is 1.4.0,
// and the crates SBOM) against the real Go vulndb and RustSec records in
// testdata and returns the findings by key.
func realFindings(t *testing.T) map[string]Finding {
	feed := importFeed(t, snapshot(t, map[string][]byte{
		"Go":        dirZip(t, "testdata/real/Go"),
		"crates.io": dirZip(t, "testdata/real/crates.io"),
	}))
	out := map[string]Finding{}
	for _, p := range []string{"testdata/real/proton-bridge-v1.8.0.cdx.json.gz", "testdata/real/crates.cdx.json"} {
		res, err := Scan(feed, readSBOM(t, p))
		require.NoError(t, err)
		for _, f := range res.Findings {
			out[f.Key()] = f
		}
	}
	return out
}

// storedDecisions writes a decisions file as an older build or a hand
// edit could, without the entry checks, and loads it.
func storedDecisions(t *testing.T, ds ...Decision) *Decisions {
	dir := t.TempDir()
	if ds == nil {
		ds = []Decision{}
	}
	data, err := json.Marshal(decisionsFile{Format: decisionsFormat, Decisions: ds})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, DecisionsName), data, 0o600))
	out, err := LoadDecisions(dir)
	require.NoError(t, err)
	return out
}

const (
	gin        = "GO-2020-0001 Go/github.com/gin-gonic/gin@1.4.0"   // fixed in 1.6.0; no CVSS in vulndb
	smallvec   = "RUSTSEC-2018-0003 crates.io/smallvec@0.6.2"       // CVSS v3.0 9.8
	capPrimV4  = "RUSTSEC-2024-0445 crates.io/cap-primitives@3.4.0" // CVSS v4 only, 2.3
	unknownSev = "(policy unknown_severity: block)"
)

// TestGateRules runs every gate rule on one real finding at a time and
// pins the blocker's text and rule names; want "" means the gate passes.
func TestGateRules(t *testing.T) {
	findings := realFindings(t)
	strict := GatePolicy{BlockInTriage: true, BlockAtOrAbove: SeverityHigh}
	lenient := GatePolicy{BlockAtOrAbove: SeverityHigh, AllowUnknownSeverity: true}
	dec := func(state State, responses []string, detail string) *Decision {
		return &Decision{State: state, Responses: responses, Detail: detail, By: "rm@example.com", At: decidedAt}
	}
	cases := []struct {
		name    string
		finding string
		d       *Decision // nil: no decision
		p       GatePolicy
		rules   []string
		want    string
	}{
		{"the issue's gin case: resolved, will_not_fix, we accept it", gin, dec(StateResolved, []string{"will_not_fix"}, "we accept it"), lenient,
			[]string{RuleDecisionInvalid, RuleResolved},
			"GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: decision refused: resolved says the fix is in the release, so response will_not_fix contradicts it; " +
				"resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed version 1.6.0"},
		{"resolved by update while 1.4.0 is in the SBOM", gin, dec(StateResolved, []string{"update"}, ""), strict,
			[]string{RuleResolved, RuleUnknownSeverity},
			"GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed version 1.6.0; treated as open; " +
				"open and unknown severity: the advisory has no usable CVSS vector or severity word " + unknownSev},
		{"resolved blocks even where unknown severities are allowed", gin, dec(StateResolved, nil, ""), lenient,
			[]string{RuleResolved},
			"GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed version 1.6.0; treated as open"},
		{"resolved_with_pedigree likewise", gin, dec(StateResolvedWithPedigree, nil, "patched"), lenient,
			[]string{RuleResolved},
			"GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: resolved_with_pedigree needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed version 1.6.0; treated as open"},
		{"resolved on a critical finding", smallvec, dec(StateResolved, []string{"update"}, ""), strict,
			[]string{RuleResolved, RuleBlockAt},
			"RUSTSEC-2018-0003 in crates.io/smallvec@0.6.2: resolved needs the fix in the SBOM, but it has smallvec 0.6.2, below RUSTSEC-2018-0003's fixed version 0.6.3; treated as open; open and critical severity (policy blocks high and above)"},
		{"no decision", gin, nil, lenient, []string{RuleNoDecision}, "GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: no triage decision"},
		{"stored exploitable without a response", smallvec, dec(StateExploitable, nil, ""), lenient, []string{RuleDecisionInvalid},
			"RUSTSEC-2018-0003 in crates.io/smallvec@0.6.2: decision refused: exploitable needs a response: update, rollback, workaround_available, can_not_fix or will_not_fix"},
		{"stored not_affected without a justification", gin, dec(StateNotAffected, nil, "unused"), lenient, []string{RuleDecisionInvalid},
			"GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: decision refused: not_affected needs a justification and a detail saying why"},
		{"exploitable, unknown severity, policy blocks", gin, dec(StateExploitable, []string{"workaround_available"}, ""), strict, []string{RuleUnknownSeverity},
			"GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: exploitable and unknown severity: the advisory has no usable CVSS vector or severity word " + unknownSev},
		{"exploitable, unknown severity, policy allows", gin, dec(StateExploitable, []string{"workaround_available"}, ""), lenient, nil, ""},
		{"in_triage, unknown severity", gin, dec(StateInTriage, nil, ""), strict, []string{RuleInTriage, RuleUnknownSeverity},
			"GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0: still in_triage; in_triage and unknown severity: the advisory has no usable CVSS vector or severity word " + unknownSev},
		{"exploitable at the threshold", smallvec, dec(StateExploitable, []string{"update"}, ""), lenient, []string{RuleBlockAt},
			"RUSTSEC-2018-0003 in crates.io/smallvec@0.6.2: exploitable and critical severity (policy blocks high and above)"},
		{"CVSS v4 low is below high", capPrimV4, dec(StateExploitable, []string{"workaround_available"}, ""), strict, nil, ""},
		{"CVSS v4 low at a low threshold", capPrimV4, dec(StateExploitable, []string{"workaround_available"}, ""), GatePolicy{BlockAtOrAbove: SeverityLow}, []string{RuleBlockAt},
			"RUSTSEC-2024-0445 in crates.io/cap-primitives@3.4.0: exploitable and low severity (policy blocks low and above)"},
		{"not_affected passes whatever the severity", gin, &Decision{State: StateNotAffected, Justification: "code_not_reachable",
			Detail: "the default logger is not used", By: "rm@example.com", At: decidedAt}, strict, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := findings[tc.finding]
			require.True(t, ok, "no finding %s in the real scan", tc.finding)
			var ds *Decisions
			if tc.d == nil {
				ds = storedDecisions(t)
			} else {
				d := *tc.d
				d.Vuln, d.Component = f.ID, f.Component.Key()
				ds = storedDecisions(t, d)
			}
			g := Gate(&Result{FeedDigest: "sha256:feed", Findings: []Finding{f}}, ds, tc.p)
			if tc.want == "" {
				require.True(t, g.Pass(), "%v", g.Blocking)
				return
			}
			require.False(t, g.Pass())
			require.Len(t, g.Blocking, 1)
			require.Equal(t, tc.want, g.Blocking[0].String())
			require.Equal(t, tc.rules, g.Blocking[0].Rules)
		})
	}
}

// TestUnparseableVersionsAreCouldNotEvaluate: a version on either side
// that is not a version in the range's ordering makes the finding "could
// not evaluate", never "not affected"; another range that does match
// still decides; and the gate blocks an open could-not-evaluate finding
// by its own rule unless the policy allows it, as with unknown severity.
func TestUnparseableVersionsAreCouldNotEvaluate(t *testing.T) {
	const pkg = `"package":{"ecosystem":"Go","name":"example.com/m"}`
	cases := []struct {
		name, affected, purl string
		found                bool
		unevaluated          string
	}{
		{"component version not SemVer", `{` + pkg + `,"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.5.0"}]}]}`,
			"pkg:golang/example.com/m@master", true, `component version "master": not a version in this ordering`},
		{"event version not SemVer", `{` + pkg + `,"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"next release"}]}]}`,
			"pkg:golang/example.com/m@v1.4.0", true, `event version "next release": not a version in this ordering`},
		{"garbage before a good version", `{` + pkg + `,"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"abc"}]}]}`,
			"pkg:golang/example.com/m@v9.0.0", true, `event version "abc"`},
		{"another range matches", `{` + pkg + `,"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"x.y"}]},{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"2.0.0"}]}]}`,
			"pkg:golang/example.com/m@v1.4.0", true, ""},
		{"another range says no, still could not evaluate", `{` + pkg + `,"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"x.y"}]},{"type":"SEMVER","events":[{"introduced":"3.0.0"}]}]}`,
			"pkg:golang/example.com/m@v1.4.0", true, `event version "x.y"`},
		{"good versions, not affected", `{` + pkg + `,"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}`,
			"pkg:golang/example.com/m@v1.4.0", false, ""},
		{"Debian version that is not one", `{"package":{"ecosystem":"Debian","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}`,
			"pkg:deb/debian/x@a:b", true, "component version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a Affected
			require.NoError(t, json.Unmarshal([]byte(tc.affected), &a))
			h, found := evaluate(&a, component(t, tc.purl))
			require.Equal(t, tc.found, found)
			if tc.unevaluated == "" {
				require.Empty(t, h.unevaluated)
			} else {
				require.Contains(t, h.unevaluated, tc.unevaluated)
			}
		})
	}

	// The gate: an open could-not-evaluate finding blocks by
	// could_not_evaluate unless allowed; a person's not_affected passes.
	f := Finding{ID: "GO-1", Component: component(t, "pkg:golang/example.com/m@master"), Rating: Rating{Severity: SeverityLow},
		Unevaluated: `component version "master": not a version in this ordering`}
	res := &Result{Findings: []Finding{f}}
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, ds.Record(Decision{Vuln: "GO-1", Component: f.Component.Key(), State: StateExploitable,
		Responses: []string{"will_not_fix"}, Detail: "end of life", By: "alice", At: decidedAt}))
	g := Gate(res, ds, GatePolicy{})
	require.Len(t, g.Blocking, 1)
	require.Equal(t, []string{RuleUnevaluated}, g.Blocking[0].Rules)
	require.Contains(t, g.Blocking[0].Reason, "could not be evaluated")
	require.True(t, Gate(res, ds, GatePolicy{AllowUnevaluated: true}).Pass())
	require.NoError(t, ds.Record(Decision{Vuln: "GO-1", Component: f.Component.Key(), State: StateNotAffected,
		Justification: "code_not_present", Detail: "the module is vendored without the package", By: "alice", At: decidedAt}))
	require.True(t, Gate(res, ds, GatePolicy{}).Pass())
}
