package attacks_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/airgap/envelope"
	"signbox/appliance"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/demo"
	"signbox/hsm"
	"signbox/vuln"
)

// buildKeyEverywhere adopts a policy that pins a build key (a policy
// change under the current 3-of-3 rule, which also rotates the shares),
// then tries every way a request or feed enters without its signature.
func (w *world) buildKeyEverywhere(t *testing.T) {
	oldSet := w.shareSet(t)
	oldSecret, tok := w.quorumLogin(t, oldSet)
	require.NoError(t, tok.Close())
	oldPIN := oldSecret.UserPIN()
	oldSecret.Wipe()

	w.adoptBuildKey(t)

	_, err := hsm.Open(w.cfg.ApplianceToken, pinOf(oldPIN))
	require.ErrorIs(t, err, hsm.ErrPINIncorrect, "shares of the old set no longer open the token")
	require.NotEqual(t, oldSet.ID(), w.shareSet(t).ID())
	require.NotEmpty(t, w.entries(t, audit.CustodyEvent, "step=shares rotated", "policy_serial=2"))
	require.Empty(t, w.entries(t, audit.CustodyEvent, "step=SO PIN not rotated"))
	newSecret, tok := w.quorumLogin(t, w.shareSet(t))
	require.NoError(t, tok.Close())
	require.NoError(t, hsm.SetSOPIN(w.cfg.ApplianceToken, newSecret.SOPIN(), newSecret.SOPIN()), "the SO PIN follows the new secret")
	newSecret.Wipe()

	a := w.open(t)
	defer a.Close()
	_, err = a.ImportRelease(w.d.Request())
	require.ErrorContains(t, err, "media is unsigned but policy pins a build key")
	require.NotEmpty(t, w.entries(t, audit.ImportRejected, "kind=release-request", "reason=media is unsigned"))

	_, err = a.PlanReleaseFiles(ceremony.ReleaseInputs{Date: date, Product: demo.Product, Version: "9.9.9", Chip: demo.Chip,
		SecurityVersion: 9, Bootloader: "bootloader.bin", App: "app.bin", SBOM: "sbom.json"})
	require.ErrorIs(t, err, appliance.ErrBuildKeyPinned)
	require.NotEmpty(t, w.entries(t, audit.ImportRejected, "kind=release-files", "version=9.9.9"))

	_, _, err = a.ImportFeed(w.d.Feed(), vuln.Freshness{CeremonyDate: clock(), MaxAge: 3650 * 24 * time.Hour})
	require.ErrorContains(t, err, "media is unsigned but policy pins a build key")
	require.NotEmpty(t, w.entries(t, audit.ImportRejected, "kind=osv-feed"))
}

// adoptBuildKey runs the policy change: serial 2, pinning a build key.
func (w *world) adoptBuildKey(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pem, err := envelope.MarshalPublicKeyPEM(k.Public())
	require.NoError(t, err)
	cur, err := os.ReadFile(filepath.Join(w.d.Root, "policy.yaml"))
	require.NoError(t, err)
	next := strings.Replace(string(cur), "serial: 1\n", "serial: 2\n", 1) +
		"  build_key: |\n    " + strings.ReplaceAll(strings.TrimSpace(string(pem)), "\n", "\n    ") + "\n"
	path := filepath.Join(t.TempDir(), "policy-2.yaml")
	require.NoError(t, os.WriteFile(path, []byte(next), 0o644))

	a := w.open(t)
	defer a.Close()
	s, err := a.PlanPolicyChange(ceremony.PolicyChangeInputs{Date: date, NewPolicy: path})
	require.NoError(t, err)
	for _, name := range demo.Custodians {
		_, err := a.Approve(s.ID(), name, w.d.Custodian[name], pinOf(demo.PIN(name)))
		require.NoError(t, err, name)
	}
	_, err = a.Execute(s.ID(), nil)
	require.NoError(t, err)
	_, err = a.VerifyOutputs(s.ID())
	require.NoError(t, err)
	_, err = a.Export(s.ID(), t.TempDir())
	require.NoError(t, err)
	require.Equal(t, uint64(2), w.policy(t).Serial)
}
