package appliance_test

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/appliance"
	"signbox/bundle"
	"signbox/ceremony"
	"signbox/demo"
	"signbox/demo/demotest"
	"signbox/evidence"
	"signbox/hsm"
	"signbox/internal/atomicfile"
	"signbox/policy"
	"signbox/tui/api"
	"signbox/vuln"
)

// The whole file shares one demo workspace: SoftHSM reads SOFTHSM2_CONF
// once per process, so the tokens are made once and the tests below run
// in order, each leaving the workspace as the next one expects.

const date = "2026-11-21"

func clock() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

// setUp makes the demo workspace. Call it once per test binary.
func setUp(t *testing.T) (*demo.Demo, appliance.Engine) {
	t.Helper()
	d := demotest.Workspace(t, date, clock)
	a, err := d.Appliance(clock, "test operator")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	return d, appliance.Engine{A: a}
}

// TestReleaseCeremonyRefusalsThenRelease walks the release through every
// refusal a custodian could run into, completes it, then rehearses a
// tampered and an older bundle on the emulated device.
func TestReleaseCeremonyRefusalsThenRelease(t *testing.T) {
	d, eng := setUp(t)
	ctx := context.Background()
	req, err := eng.ImportRequest(ctx, d.Request())
	require.NoError(t, err)
	require.Equal(t, 1, req.SecurityVersionOld)
	require.Equal(t, 2, req.SecurityVersionNew)

	tri, err := eng.Triage(ctx, req.ID)
	require.NoError(t, err)
	require.False(t, tri.GateOpen, "three findings are left for the custodians")
	open := undecided(tri)
	require.Len(t, open, 3)

	t.Run("a decision without a justification is refused", func(t *testing.T) {
		_, err := eng.Decide(ctx, req.ID, open[0].ID, api.Decision{State: "not_affected", Detail: "trust me", By: "alice"})
		require.ErrorContains(t, err, "justification")
	})

	t.Run("resolved while the SBOM has the vulnerable version is refused and logged", func(t *testing.T) {
		f := open[0]
		_, err := eng.Decide(ctx, req.ID, f.ID, api.Decision{State: "resolved", Response: []string{"will_not_fix"}, Detail: "we accept it", By: "alice"})
		require.ErrorIs(t, err, vuln.ErrNotFixedInSBOM)
		require.ErrorContains(t, err, "resolved says the fix is in the release, so response will_not_fix contradicts it")
		require.ErrorContains(t, err, fmt.Sprintf("resolved needs the fix in the SBOM, but it has %s %s, ", f.Component, f.Version))
		log, err := eng.AuditLog(ctx)
		require.NoError(t, err)
		require.True(t, hasEntry(log, "CEREMONY_REFUSED", "resolved needs the fix in the SBOM"))
		tri, err := eng.Triage(ctx, req.ID)
		require.NoError(t, err)
		require.Len(t, undecided(tri), 3, "nothing was recorded")
	})
	t.Run("exploitable without a response is refused", func(t *testing.T) {
		_, err := eng.Decide(ctx, req.ID, open[0].ID, api.Decision{State: "exploitable", By: "alice"})
		require.EqualError(t, err, "exploitable needs a response: update, rollback, workaround_available, can_not_fix or will_not_fix")
	})
	t.Run("a closed vulnerability gate refuses the plan", func(t *testing.T) {
		_, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindRelease, RequestID: req.ID, Date: date})
		require.ErrorIs(t, err, ceremony.ErrPolicyDenied)
	})
	for _, f := range open {
		tri, err = eng.Decide(ctx, req.ID, f.ID, api.Decision{State: "not_affected", Justification: "code_not_present",
			Detail: "the affected package is not linked into the pump firmware", By: "alice"})
		require.NoError(t, err)
	}
	require.True(t, tri.GateOpen, tri.GateReason)

	plan, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindRelease, RequestID: req.ID, Date: date})
	require.NoError(t, err)
	require.Len(t, plan.Words, 32, "the digest is read aloud as 32 words")

	t.Run("a wrong PIN is refused and logged", func(t *testing.T) {
		_, err := eng.Approve(ctx, plan.ID, "alice", d.Custodian["alice"], []byte("not-alices-pin"))
		require.ErrorIs(t, err, hsm.ErrPINIncorrect)
		log, err := eng.AuditLog(ctx)
		require.NoError(t, err)
		require.True(t, hasEntry(log, "AUTH_FAILURE", "custodian=alice"))
	})
	t.Run("someone else's token is refused", func(t *testing.T) {
		_, err := eng.Approve(ctx, plan.ID, "bob", d.Custodian["alice"], demo.PIN("alice"))
		require.ErrorIs(t, err, hsm.ErrKeyNotFound)
	})
	t.Run("export before signing is out of order", func(t *testing.T) {
		_, err := eng.Export(ctx, plan.ID, d.Out())
		require.ErrorIs(t, err, ceremony.ErrOutOfOrder)
	})
	_, err = eng.Approve(ctx, plan.ID, "alice", d.Custodian["alice"], demo.PIN("alice"))
	require.NoError(t, err)
	t.Run("one approval is not a quorum", func(t *testing.T) {
		_, err := eng.Execute(ctx, plan.ID, nil)
		require.ErrorIs(t, err, ceremony.ErrTooFewApprovals)
	})
	t.Run("the same custodian cannot approve twice", func(t *testing.T) {
		_, err := eng.Approve(ctx, plan.ID, "alice", d.Custodian["alice"], demo.PIN("alice"))
		require.ErrorIs(t, err, ceremony.ErrDuplicateApproval)
	})
	t.Run("an aborted ceremony never signs", func(t *testing.T) {
		require.NoError(t, eng.Abort(ctx, plan.ID, "rehearsal of the refusals; the real run follows"))
		_, err := eng.Approve(ctx, plan.ID, "bob", d.Custodian["bob"], demo.PIN("bob"))
		require.Error(t, err)
		_, err = eng.Execute(ctx, plan.ID, nil)
		require.Error(t, err)
	})

	t.Run("headless release after triage", func(t *testing.T) {
		var out bytes.Buffer
		require.NoError(t, demo.Headless(ctx, eng, d, date, &out), out.String())
		require.Contains(t, out.String(), "audit log: ")
		require.Contains(t, out.String(), "verdict ok")
		b := filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.NextVersion))
		res, err := bundle.Verify(b, releaseKey(t, d), bundle.VerifyOptions{Product: demo.Product, MinSecurityVersion: 2})
		require.NoError(t, err)
		require.Equal(t, uint32(2), res.Manifest.SecurityVersion)
		for _, doc := range evidence.Documents(demo.Product, demo.NextVersion, 2) {
			_, ok := res.Manifest.File(doc)
			require.True(t, ok, "bundle lacks %s", doc)
		}
	})

	good := filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.NextVersion))
	t.Run("tampered image", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "tampered.bundle")
		require.NoError(t, os.CopyFS(bad, os.DirFS(good)))
		app := filepath.Join(bad, "images", "app.bin")
		b, err := os.ReadFile(app)
		require.NoError(t, err)
		b[4096] ^= 0x01
		require.NoError(t, os.WriteFile(app, b, 0o644))
		_, err = eng.Rehearse(ctx, bad)
		require.Error(t, err)
	})
	t.Run("downgrade to the factory release", func(t *testing.T) {
		old := filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.FactoryVersion))
		_, err := eng.Rehearse(ctx, old)
		require.ErrorContains(t, err, "security version")
	})
	t.Run("the device still runs the confirmed release", func(t *testing.T) {
		st, err := eng.A.DeviceStatus()
		require.NoError(t, err)
		require.Equal(t, 2, st.SecureVersion)
		log, err := eng.AuditLog(ctx)
		require.NoError(t, err)
		require.True(t, hasEntry(log, "UPDATE_REJECTED", "reason="))
	})

	t.Run("key generation for the planned slot 2 exports its outputs", func(t *testing.T) {
		plan, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindKeyGen, Date: date})
		require.NoError(t, err)
		for _, name := range []string{"bob", "carol"} {
			_, err := eng.Approve(ctx, plan.ID, name, d.Custodian[name], demo.PIN(name))
			require.NoError(t, err)
		}
		_, err = eng.Execute(ctx, plan.ID, nil)
		require.NoError(t, err)
		_, err = eng.Verify(ctx, plan.ID)
		require.NoError(t, err)
		_, err = eng.Export(ctx, plan.ID, filepath.Join(t.TempDir(), "not-mounted"))
		require.ErrorContains(t, err, "is the export media mounted?")
		x, err := eng.Export(ctx, plan.ID, d.Out())
		require.NoError(t, err)
		require.FileExists(t, filepath.Join(x.BundlePath, "transcript.json"))
		require.FileExists(t, filepath.Join(x.BundlePath, "approvals.dsse.json"))
		entries, err := os.ReadDir(filepath.Join(x.BundlePath, "outputs"))
		require.NoError(t, err)
		require.NotEmpty(t, entries)
		_, err = eng.Export(ctx, plan.ID, d.Out())
		require.ErrorIs(t, err, atomicfile.ErrExists, "an export is never overwritten")
	})

	t.Run("a second run refuses to release again", func(t *testing.T) {
		err := demo.Headless(ctx, eng, d, date, &bytes.Buffer{})
		require.ErrorIs(t, err, demo.ErrExists)
	})
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

func releaseKey(t *testing.T, d *demo.Demo) crypto.PublicKey {
	t.Helper()
	b, err := os.ReadFile(d.ReleaseKey())
	require.NoError(t, err)
	k, err := policy.ParsePublicKeyPEM(string(b))
	require.NoError(t, err)
	return k
}
