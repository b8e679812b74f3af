package vuln

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

// TestDecisionCheck pairs each entry rule with its exact error. Each case
// starts from a valid in_triage decision and breaks one thing.
func TestDecisionCheck(t *testing.T) {
	base := Decision{Vuln: "GO-2020-0001", Component: "Go/github.com/gin-gonic/gin@1.4.0", State: StateInTriage, By: "alice", At: decidedAt}
	cases := []struct {
		name string
		edit func(*Decision)
		want string
	}{
		// Form: what every stored decision must have.
		{"no vulnerability", func(d *Decision) { d.Vuln = "" }, "decision needs the vulnerability ID and the component"},
		{"bad state", func(d *Decision) { d.State = "meh" }, `state "meh" is not one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected`},
		{"bad justification", func(d *Decision) {
			d.State, d.Justification, d.Detail = StateNotAffected, "vibes", "x"
		}, `justification "vibes" is not a CycloneDX justification`},
		{"bad response", func(d *Decision) { d.State, d.Responses = StateExploitable, []string{"pray"} },
			`response "pray" is not one of can_not_fix, will_not_fix, update, rollback, workaround_available`},
		{"nobody", func(d *Decision) { d.By = " " }, "decision needs who made it"},
		{"no time", func(d *Decision) { d.At = time.Time{} }, "decision needs when it was made"},
		// Meaning: fields that contradict each other (CycloneDX VEX).
		{"in_triage with a justification", func(d *Decision) { d.Justification = "code_not_reachable" },
			"a justification explains not_affected, but the state is in_triage"},
		{"exploitable with a justification", func(d *Decision) {
			d.State, d.Justification, d.Responses = StateExploitable, "code_not_reachable", []string{"update"}
		}, "a justification explains not_affected, but the state is exploitable"},
		{"not_affected without a justification", func(d *Decision) { d.State, d.Detail = StateNotAffected, "unused" },
			"not_affected needs a justification and a detail saying why"},
		{"not_affected without a detail", func(d *Decision) { d.State, d.Justification = StateNotAffected, "code_not_present" },
			"not_affected needs a justification and a detail saying why"},
		{"false_positive silent", func(d *Decision) { d.State = StateFalsePositive }, "false_positive needs a detail saying why"},
		{"exploitable without a response", func(d *Decision) { d.State = StateExploitable },
			"exploitable needs a response: update, rollback, workaround_available, can_not_fix or will_not_fix"},
		{"in_triage with a response", func(d *Decision) { d.Responses = []string{"update"} },
			"in_triage is undecided, so it takes no response (got update)"},
		{"resolved and will_not_fix", func(d *Decision) {
			d.State, d.Responses, d.Detail = StateResolved, []string{"will_not_fix"}, "we accept it"
		}, "resolved says the fix is in the release, so response will_not_fix contradicts it"},
		{"resolved_with_pedigree and can_not_fix", func(d *Decision) {
			d.State, d.Responses, d.Detail = StateResolvedWithPedigree, []string{"can_not_fix"}, "vendor gone"
		}, "resolved_with_pedigree says the fix is in the release, so response can_not_fix contradicts it"},
		{"will_not_fix silent", func(d *Decision) { d.State, d.Responses = StateExploitable, []string{"will_not_fix"} },
			"response will_not_fix needs a detail saying why"},
		{"update and will_not_fix", func(d *Decision) {
			d.State, d.Responses, d.Detail = StateExploitable, []string{"update", "will_not_fix"}, "both"
		}, "responses update and will_not_fix contradict each other"},
		{"rollback and can_not_fix", func(d *Decision) {
			d.State, d.Responses, d.Detail = StateExploitable, []string{"can_not_fix", "rollback"}, "both"
		}, "responses rollback and can_not_fix contradict each other"},
		{"response twice", func(d *Decision) { d.State, d.Responses = StateExploitable, []string{"update", "update"} },
			"response update is listed twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			tc.edit(&d)
			require.EqualError(t, d.Check(), tc.want)
		})
	}
}

// TestDecisionCheckAccepts: the combinations CycloneDX intends pass.
func TestDecisionCheckAccepts(t *testing.T) {
	base := Decision{Vuln: "GO-2020-0001", Component: "Go/github.com/gin-gonic/gin@1.4.0", By: "alice", At: decidedAt}
	for _, d := range []Decision{
		{State: StateInTriage},
		{State: StateExploitable, Responses: []string{"update"}},
		{State: StateExploitable, Responses: []string{"workaround_available", "will_not_fix"}, Detail: "disabled in the build"},
		{State: StateNotAffected, Justification: "code_not_reachable", Detail: "the logger is not used"},
		{State: StateFalsePositive, Detail: "not this package"},
		{State: StateResolved, Responses: []string{"update"}},
		{State: StateResolvedWithPedigree, Responses: []string{"rollback"}},
	} {
		d.Vuln, d.Component, d.By, d.At = base.Vuln, base.Component, base.By, base.At
		require.NoError(t, d.Check(), "%+v", d)
	}
}

// TestDecisionCheckJoins: several problems are all reported.
func TestDecisionCheckJoins(t *testing.T) {
	d := Decision{Vuln: "GO-2020-0001", Component: "c", State: StateResolved, Responses: []string{"will_not_fix"}}
	require.EqualError(t, d.Check(), "decision needs who made it\ndecision needs when it was made\n"+
		"response will_not_fix needs a detail saying why\nresolved says the fix is in the release, so response will_not_fix contradicts it")
}

func TestCheckResolved(t *testing.T) {
	gin := func(version string, fixed ...string) *Finding {
		return &Finding{ID: "GO-2020-0001", Fixed: fixed,
			Component: sbom.Component{Ecosystem: "Go", Name: "github.com/gin-gonic/gin", Version: version}}
	}
	for _, tc := range []struct {
		name  string
		f     *Finding
		state State
		want  string // "" accepted
	}{
		{"not a resolved state", gin("1.4.0", "1.6.0"), StateExploitable, ""},
		{"below the fix", gin("1.4.0", "1.6.0"), StateResolved,
			"resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed version 1.6.0"},
		{"below every fix", gin("1.4.0", "1.5.2", "1.6.0"), StateResolvedWithPedigree,
			"resolved_with_pedigree needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed versions 1.5.2, 1.6.0"},
		{"no fix known", gin("1.4.0"), StateResolved,
			"resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, which GO-2020-0001 affects with no fixed version"},
		{"ranges not evaluated", &Finding{ID: "GO-2020-0001", Unevaluated: `component version "x": bad`, Fixed: []string{"1.6.0"},
			Component: sbom.Component{Ecosystem: "Go", Name: "github.com/gin-gonic/gin", Version: "7.0.0"}}, StateResolved,
			`resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 7.0.0, and GO-2020-0001's ranges could not be evaluated against it (component version "x": bad)`},
		// A finding built elsewhere whose version is at a fix is accepted;
		// the scan itself never reports one (see CheckResolved).
		{"at the fix", gin("1.6.0", "1.6.0"), StateResolved, ""},
		{"above one of the fixes", gin("1.5.3", "1.5.2", "1.6.0"), StateResolved, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckResolved(tc.f, tc.state)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.want)
			require.ErrorIs(t, err, ErrNotFixedInSBOM)
			var nr *NotResolvedError
			require.True(t, errors.As(err, &nr))
		})
	}
}

// TestRecordFindingRefusesAtEntry: the gin decision is refused
// when it is made, with both reasons, and nothing is written.
func TestRecordFindingRefusesAtEntry(t *testing.T) {
	f := realFindings(t)[gin]
	dir := t.TempDir()
	ds, err := LoadDecisions(dir)
	require.NoError(t, err)
	d := Decision{Vuln: "CVE-2020-36567", Component: f.Component.Key(), State: StateResolved, Responses: []string{"will_not_fix"},
		Detail: "we accept it", By: "rm@example.com", At: decidedAt}
	err = ds.RecordFinding(&f, d)
	require.EqualError(t, err, "resolved says the fix is in the release, so response will_not_fix contradicts it\n"+
		"resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed version 1.6.0")
	require.ErrorIs(t, err, ErrNotFixedInSBOM)

	d.Responses, d.Detail = []string{"update"}, ""
	require.EqualError(t, ds.RecordFinding(&f, d),
		"resolved needs the fix in the SBOM, but it has github.com/gin-gonic/gin 1.4.0, below GO-2020-0001's fixed version 1.6.0")

	d.Vuln = "GO-2021-0052"
	d.State, d.Responses = StateExploitable, []string{"update"}
	require.EqualError(t, ds.RecordFinding(&f, d),
		"decision is for GO-2021-0052 in Go/github.com/gin-gonic/gin@1.4.0, not for the finding GO-2020-0001 in Go/github.com/gin-gonic/gin@1.4.0")

	require.Empty(t, ds.All())
	_, err = os.Stat(filepath.Join(dir, DecisionsName))
	require.ErrorIs(t, err, os.ErrNotExist)

	d.Vuln = "GHSA-6vm3-jj99-7229" // an alias of the finding
	require.NoError(t, ds.RecordFinding(&f, d))
}

// TestResolvedWhenSBOMHasFix: once the SBOM has gin 1.6.0, GO-2020-0001's
// range excludes it, the scan reports no such finding, and a resolved
// decision for it blocks nothing (the gate shows it as stale).
func TestResolvedWhenSBOMHasFix(t *testing.T) {
	feed := importFeed(t, snapshot(t, map[string][]byte{"Go": dirZip(t, "testdata/real/Go")}))
	s, err := sbom.Parse([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
		{"type":"library","bom-ref":"gin","name":"github.com/gin-gonic/gin","version":"v1.6.0","purl":"pkg:golang/github.com/gin-gonic/gin@v1.6.0"}]}`), sbom.FormatJSON)
	require.NoError(t, err)
	res, err := Scan(feed, s)
	require.NoError(t, err)
	require.NotEmpty(t, res.Findings, "gin 1.6.0 still has later advisories")
	resolved := Decision{Vuln: "GO-2020-0001", Component: "Go/github.com/gin-gonic/gin@1.6.0", State: StateResolved,
		Responses: []string{"update"}, Detail: "gin upgraded to 1.6.0", By: "rm@example.com", At: decidedAt}
	ds := storedDecisions(t, resolved)
	g := Gate(res, ds, GatePolicy{})
	for _, f := range res.Findings {
		require.NotEqual(t, "GO-2020-0001", f.ID)
	}
	require.Equal(t, []Decision{resolved}, g.Stale)
	for _, b := range g.Blocking {
		require.Equal(t, []string{RuleNoDecision}, b.Rules, b.String())
	}
}
