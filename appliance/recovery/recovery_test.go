// Package recovery_test shows the custody life cycle on real SoftHSM
// tokens: a backup written in a ceremony's quorum session, refused
// restores, a restore onto a fresh token after which the restored
// appliance signs a release the emulated device accepts, and a 3-of-5
// appliance that two shares do not open.
package recovery_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/appliance"
	"signbox/bundle"
	"signbox/custody"
	"signbox/demo"
	"signbox/demo/demotest"
	"signbox/hsm"
	"signbox/hsm/softhsm"
	"signbox/tui/api"
)

const date = "2026-11-21"

func clock() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

func pinOf(p []byte) hsm.PINFunc {
	return func() ([]byte, error) { return append([]byte(nil), p...), nil }
}

func presenters(d *demo.Demo, names ...string) []appliance.Presenter {
	var out []appliance.Presenter
	for _, n := range names {
		out = append(out, appliance.Presenter{Name: n, TokenURI: d.Custodian[n], PIN: pinOf(demo.PIN(n))})
	}
	return out
}

func TestBackupLoseRestoreSign(t *testing.T) {
	d := demotest.Workspace(t, date, clock)
	root := d.Root
	backup := writeBackup(t, d)
	before, err := appliance.ReadConfig(root)
	require.NoError(t, err)

	opts := appliance.RestoreOptions{Root: root, Backup: backup, Module: softhsm.DefaultModule, Label: "appliance-2",
		AuditPIN: pinOf(demo.OperatorPIN()), Now: clock}
	t.Run("one custodian cannot restore", func(t *testing.T) {
		o := opts
		o.Custodians = presenters(d, "alice")
		_, err := appliance.Restore(o)
		require.ErrorIs(t, err, custody.ErrTooFewShares)
	})
	t.Run("a tampered backup is refused", func(t *testing.T) {
		tampered := copyDir(t, backup)
		path := filepath.Join(tampered, "keys", "release-bundle.wrapped")
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		b[0] ^= 1
		require.NoError(t, os.WriteFile(path, b, 0o644))
		o := opts
		o.Backup, o.Custodians = tampered, presenters(d, "alice", "bob")
		_, err = appliance.Restore(o)
		require.ErrorContains(t, err, "keys/release-bundle.wrapped does not match the signed manifest")
	})
	t.Run("a backup of another appliance is refused", func(t *testing.T) {
		cfg := filepath.Join(root, appliance.ConfigName)
		orig, err := os.ReadFile(cfg)
		require.NoError(t, err)
		defer os.WriteFile(cfg, orig, 0o644)
		require.NoError(t, os.WriteFile(cfg, bytes.Replace(orig, []byte(before.ID), []byte(strings.Repeat("e", 32)), 1), 0o644))
		o := opts
		o.Custodians = presenters(d, "alice", "bob")
		_, err = appliance.Restore(o)
		require.ErrorContains(t, err, "is of appliance "+before.ID+"; this workspace is appliance "+strings.Repeat("e", 32))
	})

	o := opts
	o.Custodians = presenters(d, "alice", "carol")
	res, err := appliance.Restore(o)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"sbv2-slot0", "sbv2-slot1", "release-bundle", "wearable-fw"}, res.Keys)
	after, err := appliance.ReadConfig(root)
	require.NoError(t, err)
	require.NotEqual(t, before.ApplianceToken, after.ApplianceToken, "the workspace now uses the fresh token")
	require.Contains(t, after.ApplianceToken, "token=appliance-2")

	// The restored appliance runs the next release; the device, whose
	// eFuses hold the old tokens' key digests, installs and confirms it.
	a, err := d.Appliance(clock, "after restore")
	require.NoError(t, err)
	defer a.Close()
	var out bytes.Buffer
	require.NoError(t, demo.Headless(context.Background(), appliance.Engine{A: a}, d, date, &out), out.String())
	require.Contains(t, out.String(), "running ota_1 (1.1.0, secure_version 2), VALID, eFuse secure version 2")
	pub, err := d.ReleasePublicKey(nil)
	require.NoError(t, err)
	_, err = bundle.Verify(filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.NextVersion)), pub,
		bundle.VerifyOptions{Product: demo.Product, MinSecurityVersion: 2})
	require.NoError(t, err)

	t.Run("a 3-of-5 appliance beside it", func(t *testing.T) { threeOfFive(t, d) })
}

// writeBackup runs a key generation ceremony and writes a backup in its
// quorum session, before the export.
func writeBackup(t *testing.T, d *demo.Demo) string {
	t.Helper()
	a, err := d.Appliance(clock, "backup")
	require.NoError(t, err)
	defer a.Close()
	eng := appliance.Engine{A: a}
	plan, err := eng.Plan(context.Background(), api.PlanRequest{Kind: api.KindKeyGen, Date: date})
	require.NoError(t, err)
	for _, n := range []string{"alice", "bob"} {
		_, err := a.Approve(plan.ID, n, d.Custodian[n], pinOf(demo.PIN(n)))
		require.NoError(t, err)
	}
	media := t.TempDir()
	_, err = a.Backup(plan.ID, media)
	require.ErrorIs(t, err, appliance.ErrLocked, "no backup outside a quorum session")
	_, err = a.Execute(plan.ID, nil)
	require.NoError(t, err)
	_, err = a.VerifyOutputs(plan.ID)
	require.NoError(t, err)
	path, err := a.Backup(plan.ID, media)
	require.NoError(t, err)
	_, err = a.Export(plan.ID, t.TempDir())
	require.NoError(t, err)
	return path
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}
