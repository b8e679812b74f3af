// Package decisions_test is its own test binary: SoftHSM reads its
// configuration once per process, so each demo workspace needs one.
package decisions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/appliance"
	"signbox/demo"
	"signbox/demo/demotest"
	"signbox/policy"
	"signbox/tui/api"
	"signbox/vuln"
)

// TestDecisionsApprovedInThePlan: triage decisions are approved by the
// quorum in the plan. The decider typed in a form is ignored (the
// operator is recorded as who entered it); every finding and its decision
// is on the plan pages; a decision that differs from the approved one —
// edited in the file, entered after the approval through the engine, or
// removed — is refused by finding before signing, with an audit entry;
// the exported VEX names the approving custodians with their key
// fingerprints as the deciders.
func TestDecisionsApprovedInThePlan(t *testing.T) {
	d, eng := setUp(t)
	ctx := context.Background()
	req, err := eng.ImportRequest(ctx, d.Request())
	require.NoError(t, err)
	tri, err := eng.Triage(ctx, req.ID)
	require.NoError(t, err)
	for _, f := range undecided(tri) {
		tri, err = eng.Decide(ctx, req.ID, f.ID, api.Decision{State: "not_affected", Justification: "code_not_present",
			Detail: "the affected package is not linked into the pump firmware", By: "the CISO"})
		require.NoError(t, err)
	}
	require.True(t, tri.GateOpen, tri.GateReason)
	for _, f := range tri.Findings {
		require.NotEqual(t, "the CISO", f.Decision.By, "a typed decider is never recorded")
	}

	plan, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindRelease, RequestID: req.ID, Date: date})
	require.NoError(t, err)
	rows := map[string]string{}
	for _, s := range plan.Sections {
		for _, r := range s.Rows {
			rows[r.Path] = r.Value
		}
	}
	require.Regexp(t, "^[0-9a-f]{64}$", rows["release.keys[0].efuse_digest"], "the signing key's eFuse digest is on the plan")
	require.Regexp(t, "^sha256:[0-9a-f]{64}$", rows["release.keys[0].fingerprint"], "the full SPKI fingerprint is on the plan")
	ids := map[string]bool{}
	for i := range tri.Findings {
		p := fmt.Sprintf("release.vuln_gate.findings[%d].", i)
		ids[rows[p+"advisory"]] = true
		for _, field := range []string{"component", "severity", "state", "detail", "entered_by", "at"} {
			require.Contains(t, rows, p+field)
		}
		require.NotEmpty(t, rows[p+"entered_by"])
		require.NotEqual(t, "the CISO", rows[p+"entered_by"])
	}
	for _, f := range tri.Findings {
		require.True(t, ids[f.ID], "finding %s is not on the plan pages", f.ID)
	}
	for _, name := range []string{"alice", "bob"} {
		_, err := eng.Approve(ctx, plan.ID, name, d.Custodian[name], demo.PIN(name))
		require.NoError(t, err)
	}

	file := filepath.Join(appliance.TriageDir(d.Root), vuln.DecisionsName)
	approved, err := os.ReadFile(file)
	require.NoError(t, err)
	refused := func(t *testing.T, want string) {
		t.Helper()
		_, err := eng.Execute(ctx, plan.ID, nil)
		require.ErrorIs(t, err, appliance.ErrDecisionsNotApproved)
		require.ErrorContains(t, err, want)
		log, err := eng.AuditLog(ctx)
		require.NoError(t, err)
		require.True(t, hasEntry(log, "CEREMONY_REFUSED", "triage decisions differ from the ones the quorum approved"))
		require.NoError(t, os.WriteFile(file, approved, 0o644))
	}
	first := tri.Findings[0]
	t.Run("a decision edited in the file after the approval is refused by name", func(t *testing.T) {
		edited := strings.Replace(string(approved), "the affected package is not linked", "we accept it", 1)
		require.NotEqual(t, string(approved), edited)
		require.NoError(t, os.WriteFile(file, []byte(edited), 0o644))
		refused(t, "now \"")
	})
	t.Run("a decision entered through the engine after the approval is refused by name", func(t *testing.T) {
		_, err := eng.Decide(ctx, req.ID, first.ID, api.Decision{State: "exploitable", Response: []string{"will_not_fix"}, Detail: "changed my mind"})
		require.NoError(t, err)
		refused(t, first.ID)
	})
	t.Run("a removed decision is refused by name", func(t *testing.T) {
		require.NoError(t, os.Remove(file))
		refused(t, "undecided")
	})

	_, err = eng.Execute(ctx, plan.ID, nil)
	require.NoError(t, err)
	_, err = eng.Verify(ctx, plan.ID)
	require.NoError(t, err)
	x, err := eng.Export(ctx, plan.ID, d.Out())
	require.NoError(t, err)

	t.Run("the VEX names the approving custodians and their keys", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(x.BundlePath, "vex.cdx.json"))
		require.NoError(t, err)
		require.NotContains(t, string(raw), "signbox:decided-by")
		var vex struct {
			Vulnerabilities []struct {
				ID         string `json:"id"`
				Properties []struct{ Name, Value string }
			} `json:"vulnerabilities"`
		}
		require.NoError(t, json.Unmarshal(raw, &vex))
		require.NotEmpty(t, vex.Vulnerabilities)
		pb, err := os.ReadFile(filepath.Join(d.Root, "policy.yaml"))
		require.NoError(t, err)
		p, err := policy.Parse(pb)
		require.NoError(t, err)
		want := []string{"alice " + p.Custodian("alice").Fingerprint(), "bob " + p.Custodian("bob").Fingerprint()}
		for _, v := range vex.Vulnerabilities {
			var by []string
			entered := ""
			for _, pr := range v.Properties {
				switch pr.Name {
				case "signbox:approved-by":
					by = append(by, pr.Value)
				case "signbox:entered-by":
					entered = pr.Value
				}
			}
			require.ElementsMatch(t, want, by, v.ID)
			require.NotEmpty(t, entered, v.ID)
		}
	})
}

const date = "2026-11-21"

func clock() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

func setUp(t *testing.T) (*demo.Demo, appliance.Engine) {
	t.Helper()
	d := demotest.Workspace(t, date, clock)
	a, err := d.Appliance(clock, "test operator")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	return d, appliance.Engine{A: a}
}

func undecided(t api.Triage) []api.Finding {
	var out []api.Finding
	for _, f := range t.Findings {
		if f.Decision == nil {
			out = append(out, f)
		}
	}
	return out
}

func hasEntry(log api.AuditLog, typ, text string) bool {
	for _, e := range log.Entries {
		if e.Type == typ && strings.Contains(e.Summary, text) {
			return true
		}
	}
	return false
}
