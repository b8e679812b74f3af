// Package lifecycle_test drives the ceremony lifecycle the TUI offers
// (keep for later, restart, resume, abort from the list) through the real
// appliance Engine on SoftHSM: approvals stay on disk, shares die with
// the session, and a ceremony signed before a restart is exported later
// without signing again. One demo workspace per test binary (SoftHSM
// reads SOFTHSM2_CONF once per process).
package lifecycle_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/appliance"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/demo"
	"signbox/demo/demotest"
	"signbox/tui/api"
)

const date = "2026-11-21"

func clock() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

// restart closes the appliance (shares wiped, token locked, log sealed)
// and opens it again, as a new signbox process would.
func restart(t *testing.T, d *demo.Demo, a **appliance.Appliance) appliance.Engine {
	t.Helper()
	if *a != nil {
		require.NoError(t, (*a).Close())
	}
	next, err := d.Appliance(clock, "lifecycle test")
	require.NoError(t, err)
	*a = next
	return appliance.Engine{A: next}
}

func custodian(t *testing.T, eng appliance.Engine, planID, name string) api.Custodian {
	t.Helper()
	cs, err := eng.Custodians(context.Background(), planID)
	require.NoError(t, err)
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no custodian %s", name)
	return api.Custodian{}
}

func approve(t *testing.T, eng appliance.Engine, d *demo.Demo, planID, name string) api.Quorum {
	t.Helper()
	q, err := eng.Approve(context.Background(), planID, name, d.Custodian[name], demo.PIN(name))
	require.NoError(t, err, name)
	return q
}

func TestKeepRestartResumeExport(t *testing.T) {
	d := demotest.Workspace(t, date, clock)
	var a *appliance.Appliance
	t.Cleanup(func() {
		if a != nil {
			require.NoError(t, a.Close())
		}
	})
	eng := restart(t, d, &a)
	ctx := context.Background()

	req, err := eng.ImportRequest(ctx, d.Request())
	require.NoError(t, err)
	tri, err := eng.Triage(ctx, req.ID)
	require.NoError(t, err)
	for _, f := range tri.Findings {
		if f.Decision == nil {
			_, err := eng.Decide(ctx, req.ID, f.ID, api.Decision{State: "not_affected", Justification: "code_not_present",
				Detail: "not linked into the pump firmware", By: "alice"})
			require.NoError(t, err)
		}
	}
	plan, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindRelease, RequestID: req.ID, Date: date})
	require.NoError(t, err)
	require.Equal(t, api.Quorum{Need: 2, SharesNeed: 2}, plan.Quorum)

	open, err := eng.Unfinished(ctx)
	require.NoError(t, err)
	require.Len(t, open, 1, "only the new plan is unfinished; the demo's earlier ceremonies were exported")
	require.Equal(t, api.Unfinished{ID: plan.ID, Kind: api.KindRelease, Date: date, Step: "planned",
		Summary: demo.Product + " " + demo.NextVersion + ", security version 1 → 2", Quorum: api.Quorum{Need: 2, SharesNeed: 2}}, open[0])

	t.Run("a wrong PIN carries the token's PIN flags", func(t *testing.T) {
		_, err := eng.Approve(ctx, plan.ID, "alice", d.Custodian["alice"], []byte("not-alices-pin"))
		var ps api.PINStater
		require.True(t, errors.As(err, &ps), "%v", err)
		require.False(t, ps.PINState().Locked)
	})

	q := approve(t, eng, d, plan.ID, "alice")
	require.Equal(t, 1, q.Have)
	require.Equal(t, 1, q.Shares)
	require.False(t, custodian(t, eng, plan.ID, "alice").ShareNeeded)

	t.Run("keeping it wipes the shares and keeps the approval", func(t *testing.T) {
		require.NoError(t, eng.Suspend(ctx, plan.ID))
		open, err := eng.Unfinished(ctx)
		require.NoError(t, err)
		require.Len(t, open, 1)
		require.Equal(t, 1, open[0].Quorum.Have)
		require.Equal(t, 0, open[0].Quorum.Shares)
		require.True(t, custodian(t, eng, plan.ID, "alice").ShareNeeded)
		require.NotEmpty(t, demotest.Entries(t, d, audit.CeremonyStep, "ceremony="+plan.ID, "step=left by the operators"))
	})

	eng = restart(t, d, &a)
	p, err := eng.Resume(ctx, plan.ID)
	require.NoError(t, err)
	require.Equal(t, plan.Digest, p.Digest)
	require.Equal(t, 1, p.Quorum.Have)
	require.Equal(t, 0, p.Quorum.Shares)
	require.True(t, custodian(t, eng, plan.ID, "alice").ShareNeeded)

	q = approve(t, eng, d, plan.ID, "alice") // presents her share; her approval stands
	require.Equal(t, 1, q.Have)
	require.Equal(t, 1, q.Shares)
	q = approve(t, eng, d, plan.ID, "bob")
	require.True(t, q.Ready(), "%+v", q)
	_, err = eng.Execute(ctx, plan.ID, nil)
	require.NoError(t, err)
	_, err = eng.Verify(ctx, plan.ID)
	require.NoError(t, err)

	// Restart between verification and export: the plan signed, the
	// token is locked again and the shares are gone.
	eng = restart(t, d, &a)
	open, err = eng.Unfinished(ctx)
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, "verified", open[0].Step)
	require.True(t, open[0].Signed)
	_, err = eng.Export(ctx, plan.ID, d.Out())
	require.ErrorIs(t, err, appliance.ErrLocked)

	t.Run("approvals are closed after signing", func(t *testing.T) {
		_, err := eng.Approve(ctx, plan.ID, "carol", d.Custodian["carol"], demo.PIN("carol"))
		require.ErrorIs(t, err, ceremony.ErrOutOfOrder)
	})
	for _, name := range []string{"alice", "bob"} {
		require.True(t, custodian(t, eng, plan.ID, name).ShareNeeded, name)
		q = approve(t, eng, d, plan.ID, name)
	}
	require.True(t, q.Ready(), "%+v", q)
	signed := len(demotest.Entries(t, d, audit.CeremonySigned, "ceremony="+plan.ID))
	require.NotZero(t, signed, "the first run's CEREMONY_SIGNED entry")
	_, err = eng.Execute(ctx, plan.ID, nil)
	require.NoError(t, err)
	require.Len(t, demotest.Entries(t, d, audit.CeremonySigned, "ceremony="+plan.ID), signed, "signed again")
	_, err = eng.Verify(ctx, plan.ID)
	require.NoError(t, err)
	x, err := eng.Export(ctx, plan.ID, d.Out())
	require.NoError(t, err)
	require.Equal(t, filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.NextVersion)), x.BundlePath)

	open, err = eng.Unfinished(ctx)
	require.NoError(t, err)
	require.Empty(t, open)
	_, err = eng.Resume(ctx, plan.ID)
	require.ErrorIs(t, err, ceremony.ErrFinished)

	t.Run("abort from the list", func(t *testing.T) {
		kg, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindKeyGen, Date: date})
		require.NoError(t, err)
		open, err := eng.Unfinished(ctx)
		require.NoError(t, err)
		require.Len(t, open, 1)
		require.Equal(t, api.KindKeyGen, open[0].Kind)
		require.True(t, strings.HasPrefix(open[0].Summary, "generate "), open[0].Summary)
		require.NoError(t, eng.Abort(ctx, kg.ID, "not resumed; aborted from the list of unfinished ceremonies"))
		open, err = eng.Unfinished(ctx)
		require.NoError(t, err)
		require.Empty(t, open)
	})
}
