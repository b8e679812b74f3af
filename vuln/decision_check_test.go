package vuln

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
