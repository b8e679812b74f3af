// Package powercut_test cuts the power, for real, at every point between
// two writes of a policy change's share rotation: the test binary runs the
// ceremony in a child process that exits on the spot (no deferred close,
// no logout, no SO PIN change), on a copy of one SoftHSM demo appliance.
// A second child then does what the runbook says — the approving
// custodians present their tokens and the ceremony is run and exported
// again — and the test checks the appliance ends where an uninterrupted
// rotation ends: the new policy and share set pinned in the HSM, the old
// shares opening nothing, the SO PIN following the new secret, and no
// rotation link or old set left behind.
package powercut_test

import (
	"bytes"
	"crypto/ecdh"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/appliance"
	"signbox/appliance/internal/faults"
	"signbox/ceremony"
	"signbox/custody"
	"signbox/demo"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/hsm/softhsm"
)

const (
	date = "2026-11-21"
	// cutExit is the child's exit status at the cut, so a child that
	// never reached its point (exit 0) or failed (exit 1) is told apart.
	cutExit = 77

	envPhase = "SIGNBOX_POWERCUT_PHASE"
	envRoot  = "SIGNBOX_POWERCUT_ROOT"
	envAt    = "SIGNBOX_POWERCUT_AT"
)

// points are every faults.At of the policy-change export, in order.
var points = []string{
	"export: ceremony closed",
	"rotation: new set written",
	"rotation: link written",
	"rotation: user PIN changed",
	"rotation: new set in place",
	"rotation: anchor written",
	"rotation: user logged out",
	"rotation: SO PIN changed",
}

func clock() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

func pinOf(p []byte) hsm.PINFunc {
	return func() ([]byte, error) { return append([]byte(nil), p...), nil }
}

func TestMain(m *testing.M) {
	if at := os.Getenv(envAt); at != "" {
		faults.Set(func(p string) {
			if p == at {
				os.Exit(cutExit)
			}
		})
	}
	os.Exit(m.Run())
}

func TestPolicyChangeSurvivesAPowerCutAtEveryPoint(t *testing.T) {
	hsmtest.Require(t)
	base := filepath.Join(t.TempDir(), "base")
	child(t, "setup", base, "", 0)
	oldSet, err := os.ReadFile(filepath.Join(base, appliance.ShareSetName))
	require.NoError(t, err)
	plan, err := os.ReadFile(filepath.Join(filepath.Dir(base), "plan-id"))
	require.NoError(t, err)

	for _, at := range points {
		t.Run(at, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "ws")
			copyTree(t, base, root)
			require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(root), "old-shares.dsse"), oldSet, 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(root), "plan-id"), plan, 0o644))
			child(t, "cut", root, at, cutExit)
			child(t, "recover", root, "", 0)
		})
	}
}

// child runs this test binary's TestChild in phase on root and wants exit.
func child(t *testing.T, phase, root, at string, exit int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envPhase+"="+phase, envRoot+"="+root, envAt+"="+at,
		"SOFTHSM2_CONF="+demo.Layout{Root: root}.ConfPath())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	require.Equal(t, exit, code, "%s at %q:\n%s", phase, at, out.String())
}

// copyTree copies the workspace and its SoftHSM tokens; the copy's
// softhsm2.conf is written anew by demo.Open for its own path.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, fi.Mode().Perm()|0o700)
		}
		if p == (demo.Layout{Root: from}).ConfPath() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, fi.Mode().Perm())
	}))
}

// TestChild is the child process; it does nothing in a normal run.
func TestChild(t *testing.T) {
	phase, root := os.Getenv(envPhase), os.Getenv(envRoot)
	if phase == "" {
		t.Skip("runs only as TestPolicyChangeSurvivesAPowerCutAtEveryPoint's child process")
	}
	switch phase {
	case "setup":
		setup(t, root)
	case "cut":
		d := openDemo(t, root)
		a := openAppliance(t, d)
		plan := planID(t, root)
		for _, n := range demo.Custodians {
			_, err := a.Approve(plan, n, d.Custodian[n], pinOf(demo.PIN(n)))
			require.NoError(t, err, n)
		}
		run(t, a, plan)
		t.Fatalf("the export finished without reaching %q", os.Getenv(envAt))
	case "recover":
		d := openDemo(t, root)
		a := openAppliance(t, d)
		plan := planID(t, root)
		for _, n := range demo.Custodians {
			_, err := a.PresentShare(plan, n, d.Custodian[n], pinOf(demo.PIN(n)))
			require.NoError(t, err, n)
		}
		run(t, a, plan)
		require.NoError(t, a.Close())
		checkFinished(t, d, root)
	default:
		t.Fatalf("phase %q", phase)
	}
}

// setup makes the demo appliance and plans a policy change (serial 2,
// key revocation 3-of-3), which rotates the shares when exported.
func setup(t *testing.T, root string) {
	d, err := demo.Setup(demo.Options{Root: root, Module: softhsm.DefaultModule, Date: date, Now: clock})
	require.NoError(t, err)
	cur, err := os.ReadFile(filepath.Join(root, "policy.yaml"))
	require.NoError(t, err)
	next := strings.Replace(string(cur), "serial: 1\n", "serial: 2\n", 1)
	next = strings.Replace(next, "key_revocation: {threshold: 2,", "key_revocation: {threshold: 3,", 1)
	require.NotEqual(t, string(cur), next)
	path := filepath.Join(filepath.Dir(root), "policy-2.yaml")
	require.NoError(t, os.WriteFile(path, []byte(next), 0o644))
	a := openAppliance(t, d)
	s, err := a.PlanPolicyChange(ceremony.PolicyChangeInputs{Date: date, NewPolicy: path})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(root), "plan-id"), []byte(s.ID()), 0o644))
	require.NoError(t, a.Close())
}

func run(t *testing.T, a *appliance.Appliance, plan string) {
	_, err := a.Execute(plan, nil)
	require.NoError(t, err)
	_, err = a.VerifyOutputs(plan)
	require.NoError(t, err)
	_, err = a.Export(plan, t.TempDir())
	require.NoError(t, err)
}

// checkFinished wants the state an uninterrupted rotation leaves.
func checkFinished(t *testing.T, d *demo.Demo, root string) {
	cfg, err := appliance.ReadConfig(root)
	require.NoError(t, err)
	a := openAppliance(t, d)
	st := a.Anchor()
	require.NoError(t, a.Close())
	pub, err := d.ReleasePublicKey(nil)
	require.NoError(t, err)

	cur := readSet(t, filepath.Join(root, appliance.ShareSetName), pub)
	require.Equal(t, uint64(2), cur.Header().PolicySerial, "the set in force is the new policy's")
	require.Equal(t, uint64(2), st.Policy.Serial, "the HSM pins the new policy")
	require.Equal(t, cur.ID(), st.ShareSet, "the HSM pins the new share set")
	for _, f := range []string{"custody/shares.next.dsse", "custody/shares.prev.dsse"} {
		_, err := os.Stat(filepath.Join(root, f))
		require.True(t, os.IsNotExist(err), "%s is left behind", f)
	}
	tok, err := hsm.OpenPublic(cfg.ApplianceToken)
	require.NoError(t, err)
	_, err = tok.Data("signbox-rotation", true)
	require.NoError(t, tok.Close())
	require.ErrorIs(t, err, hsm.ErrObjectNotFound, "the rotation link is deleted")

	old := readSet(t, filepath.Join(filepath.Dir(root), "old-shares.dsse"), pub)
	oldSecret := combine(t, d, old)
	_, err = hsm.Open(cfg.ApplianceToken, pinOf(oldSecret.UserPIN()))
	require.ErrorIs(t, err, hsm.ErrPINIncorrect, "the old shares open nothing")
	require.ErrorIs(t, hsm.SetSOPIN(cfg.ApplianceToken, oldSecret.SOPIN(), oldSecret.SOPIN()), hsm.ErrPINIncorrect, "nor the SO")
	secret := combine(t, d, cur)
	tok, err = hsm.Open(cfg.ApplianceToken, pinOf(secret.UserPIN()))
	require.NoError(t, err, "the new shares open the token")
	require.NoError(t, tok.Close())
	require.NoError(t, hsm.SetSOPIN(cfg.ApplianceToken, secret.SOPIN(), secret.SOPIN()), "the SO PIN follows the new secret")
}

func readSet(t *testing.T, path string, pub any) *custody.Set {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	set, err := custody.OpenSet(b, pub)
	require.NoError(t, err)
	return set
}

// combine rebuilds a set's secret from alice's and bob's tokens.
func combine(t *testing.T, d *demo.Demo, set *custody.Set) *custody.Secret {
	col := set.NewCollector()
	for _, name := range []string{"alice", "bob"} {
		tok, err := hsm.Open(d.Custodian[name], pinOf(demo.PIN(name)))
		require.NoError(t, err)
		pub, err := tok.AgreementPublic(demo.ShareKeyLabel)
		require.NoError(t, err)
		sh, err := set.Unseal(name, agreement{tok, pub})
		require.NoError(t, tok.Close())
		require.NoError(t, err)
		require.NoError(t, col.Add(sh))
	}
	s, err := col.Combine()
	require.NoError(t, err)
	return s
}

type agreement struct {
	tok *hsm.Token
	pub *ecdh.PublicKey
}

func (a agreement) Public() *ecdh.PublicKey { return a.pub }

func (a agreement) ECDH(peer *ecdh.PublicKey) ([]byte, error) {
	return a.tok.ECDH(demo.ShareKeyLabel, peer)
}

func openDemo(t *testing.T, root string) *demo.Demo {
	d, err := demo.Open(root, softhsm.DefaultModule)
	require.NoError(t, err)
	return d
}

func openAppliance(t *testing.T, d *demo.Demo) *appliance.Appliance {
	a, err := d.Appliance(clock, "power-cut test")
	require.NoError(t, err)
	return a
}

func planID(t *testing.T, root string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(root), "plan-id"))
	require.NoError(t, err)
	return string(b)
}
