// Package attacks_test replays, against a real SoftHSM appliance, every
// attack of the trust model (../shared/design/trust-model.md, "Attacks
// that must fail") and asserts the exact refusal and the audit entry it
// leaves. The file shares one demo workspace (SoftHSM reads SOFTHSM2_CONF
// once per process); each attack restores what it broke.
package attacks_test

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"signbox/airgap/envelope"
	"signbox/anchor"
	"signbox/appliance"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/custody"
	"signbox/demo"
	"signbox/demo/demotest"
	"signbox/hsm"
	"signbox/policy"
	"signbox/tui/api"
)

const date = "2026-11-21"

func clock() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

type world struct {
	d            *demo.Demo
	cfg          appliance.WorkspaceConfig
	beforeKeygen []byte // an anchor envelope older than the last ceremony
}

func setUp(t *testing.T) *world {
	t.Helper()
	d := demotest.Workspace(t, date, clock)
	cfg, err := appliance.ReadConfig(d.Root)
	require.NoError(t, err)
	return &world{d: d, cfg: cfg}
}

func (w *world) open(t *testing.T) *appliance.Appliance {
	t.Helper()
	a, err := w.d.Appliance(clock, "attack test")
	require.NoError(t, err)
	return a
}

// entries lists the audit log's entries of typ whose payload has every
// key=value of want.
func (w *world) entries(t *testing.T, typ audit.Type, want ...string) []audit.Entry {
	t.Helper()
	return demotest.Entries(t, w.d, typ, want...)
}

// applianceLogins counts failed logins to the appliance token the log
// recorded: a refused share must never get as far as trying one.
func (w *world) applianceLogins(t *testing.T) int {
	return len(w.entries(t, audit.AuthFailure, "token=appliance"))
}

func pinOf(p []byte) hsm.PINFunc {
	return func() ([]byte, error) { return append([]byte(nil), p...), nil }
}

func TestAttacks(t *testing.T) {
	w := setUp(t)
	t.Run("S1 one custodian's secrets never open the appliance token", w.oneCustodianCannotLogIn)
	t.Run("bad shares are refused before any login", w.badShares)
	t.Run("A2 a replaced policy.yaml is refused", w.replacedPolicy)
	t.Run("A5 a lowered versions.json is refused", w.loweredVersions)
	t.Run("A4 an exported ceremony reset to planned is refused", w.resetExported)
	t.Run("A3 an aborted ceremony revived by editing state.json never signs", w.revivedAbort)
	t.Run("A7 a deleted audit log is refused, never restarted", w.deletedAuditLog)
	t.Run("A6 a pinned build key is enforced on every path", w.buildKeyEverywhere)
	t.Run("a signed ceremony is exported after a restart, with the shares presented again", w.exportAfterRestart)
	t.Run("an older public anchor put back is caught by the private one at unlock", w.olderPublicAnchor)
}

// olderPublicAnchor: whoever can write the token's public objects puts
// back an older (validly signed) public anchor that does not know the last
// key generation was signed, and resets that ceremony's state.json. The
// open passes against the old public copy; the unlock reads the private
// anchor and refuses before anything is signed.
func (w *world) olderPublicAnchor(t *testing.T) {
	require.NotNil(t, w.beforeKeygen, "exportAfterRestart keeps the anchor before its ceremony")
	ids, err := os.ReadDir(filepath.Join(w.d.Root, "ceremonies"))
	require.NoError(t, err)
	id := ids[len(ids)-1].Name()
	sec, tok := w.quorumLogin(t, w.shareSet(t))
	sec.Wipe()
	require.NoError(t, tok.PutData("signbox-anchor-public", w.beforeKeygen, true))
	require.NoError(t, tok.Close())
	restore := w.edit(t, filepath.Join("ceremonies", id, "state.json"), func(s string) string {
		return strings.Replace(s, `"step": "exported"`, `"step": "planned"`, 1)
	})
	defer restore()

	a := w.open(t) // passes: the old public anchor never saw the ceremony closed
	defer a.Close()
	for _, n := range []string{"alice", "carol"} {
		_, err := a.PresentShare(id, n, w.d.Custodian[n], pinOf(demo.PIN(n)))
		require.NoError(t, err)
	}
	_, err = a.Execute(id, nil)
	var m *anchor.MismatchError
	require.True(t, errors.As(err, &m), "want a mismatch, got %v", err)
	require.Equal(t, "ceremonies/"+id+"/state.json", m.File)
	require.NotEmpty(t, w.entries(t, audit.CustodyEvent, "step=public anchor behind"))
	require.NotEmpty(t, w.entries(t, audit.StateRefused, "when=unlock"))
}

// exportAfterRestart: the process ends between signing and export (a
// power cut, a closed laptop). The ceremony is never signed again; its
// export needs the quorum again, and then goes through.
func (w *world) exportAfterRestart(t *testing.T) {
	var err error
	w.beforeKeygen, err = os.ReadFile(filepath.Join(w.d.Root, "custody", "anchor.dsse"))
	require.NoError(t, err)
	a := w.open(t)
	s, err := a.PlanKeyGeneration(ceremony.KeyGenInputs{Date: date})
	require.NoError(t, err)
	for _, n := range []string{"alice", "carol"} {
		_, err := a.Approve(s.ID(), n, w.d.Custodian[n], pinOf(demo.PIN(n)))
		require.NoError(t, err)
	}
	_, err = a.Execute(s.ID(), nil)
	require.NoError(t, err)
	require.NoError(t, a.Close())

	a = w.open(t)
	defer a.Close()
	_, err = a.VerifyOutputs(s.ID())
	require.NoError(t, err, "verifying needs no secret")
	_, err = a.Export(s.ID(), t.TempDir())
	require.ErrorIs(t, err, appliance.ErrLocked)
	for _, n := range []string{"alice", "carol"} {
		_, err := a.PresentShare(s.ID(), n, w.d.Custodian[n], pinOf(demo.PIN(n)))
		require.NoError(t, err)
	}
	outs, err := a.Execute(s.ID(), nil)
	require.NoError(t, err)
	require.NotEmpty(t, outs, "the outputs of the first run, not a second signing")
	_, err = a.Export(s.ID(), t.TempDir())
	require.NoError(t, err)
	require.True(t, a.Anchor().IsClosed(s.ID()))
}

// oneCustodianCannotLogIn tries S1 with everything one custodian holds:
// their token and PIN, their decrypted share, and the operator's PIN.
func (w *world) oneCustodianCannotLogIn(t *testing.T) {
	set := w.shareSet(t)
	for _, name := range demo.Custodians {
		for what, pin := range map[string][]byte{"their PIN": demo.PIN(name), "the operator's PIN": demo.OperatorPIN()} {
			_, err := hsm.Open(w.cfg.ApplianceToken, pinOf(pin))
			require.ErrorIs(t, err, hsm.ErrPINIncorrect, "%s with %s", name, what)
		}
		sh := w.unseal(t, set, name)
		col := set.NewCollector()
		require.NoError(t, col.Add(sh))
		_, err := col.Combine()
		require.ErrorIs(t, err, custody.ErrTooFewShares, "%s's share alone", name)
		col.Wipe()
	}
	// The token is not left logged in by anyone: a public session sees no
	// private object.
	tok, err := hsm.OpenPublic(w.cfg.ApplianceToken)
	require.NoError(t, err)
	defer tok.Close()
	_, err = tok.Data("signbox-anchor", false)
	require.ErrorIs(t, err, hsm.ErrObjectNotFound)
	_, err = tok.Signer("release-bundle")
	require.Error(t, err)
}

func (w *world) shareSet(t *testing.T) *custody.Set {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.d.Root, appliance.ShareSetName))
	require.NoError(t, err)
	pub, err := w.d.ReleasePublicKey(nil)
	require.NoError(t, err)
	set, err := custody.OpenSet(b, pub)
	require.NoError(t, err)
	return set
}

// unseal decrypts name's share with their own token, as an attacker who
// is that custodian could.
func (w *world) unseal(t *testing.T, set *custody.Set, name string) *custody.Share {
	t.Helper()
	tok, err := hsm.Open(w.d.Custodian[name], pinOf(demo.PIN(name)))
	require.NoError(t, err)
	defer tok.Close()
	pub, err := tok.AgreementPublic(demo.ShareKeyLabel)
	require.NoError(t, err)
	sh, err := set.Unseal(name, agreement{tok, pub})
	require.NoError(t, err)
	return sh
}

type agreement struct {
	tok *hsm.Token
	pub *ecdh.PublicKey
}

func (a agreement) Public() *ecdh.PublicKey { return a.pub }

func (a agreement) ECDH(peer *ecdh.PublicKey) ([]byte, error) {
	return a.tok.ECDH(demo.ShareKeyLabel, peer)
}

// quorumSigner logs in the way only M custodians together can (the test
// plays alice and bob) and returns the release-bundle signer, to make
// share sets the appliance itself would sign.
func (w *world) quorumLogin(t *testing.T, set *custody.Set) (*custody.Secret, *hsm.Token) {
	t.Helper()
	col := set.NewCollector()
	for _, name := range []string{"alice", "bob"} {
		require.NoError(t, col.Add(w.unseal(t, set, name)))
	}
	sec, err := col.Combine()
	require.NoError(t, err)
	tok, err := hsm.Open(w.cfg.ApplianceToken, pinOf(sec.UserPIN()))
	require.NoError(t, err)
	return sec, tok
}

func (w *world) policy(t *testing.T) *policy.Policy {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.d.Root, "policy.yaml"))
	require.NoError(t, err)
	p, err := policy.Parse(b)
	require.NoError(t, err)
	return p
}

// badShares: a custodian not in the policy, too few shares, a share set
// of another appliance, a set made for another policy (a replayed older
// set) and a tampered set are each refused with a reason and an audit
// entry, and no login to the appliance token is ever attempted.
func (w *world) badShares(t *testing.T) {
	ctx := context.Background()
	before := w.applianceLogins(t)
	a := w.open(t)
	plan, err := appliance.Engine{A: a}.Plan(ctx, api.PlanRequest{Kind: api.KindKeyGen, Date: date})
	require.NoError(t, err)
	_, err = a.Approve(plan.ID, "mallory", w.d.Custodian["alice"], pinOf(demo.PIN("alice")))
	require.ErrorContains(t, err, `"mallory" is not a custodian in the policy`)
	require.NotEmpty(t, w.entries(t, audit.AuthFailure, "custodian=mallory"))
	for _, name := range []string{"alice", "bob"} {
		_, err := a.Approve(plan.ID, name, w.d.Custodian[name], pinOf(demo.PIN(name)))
		require.NoError(t, err)
	}
	require.NoError(t, a.Close()) // the shares die with the process

	a = w.open(t)
	defer a.Close()
	_, err = a.Execute(plan.ID, nil)
	require.ErrorIs(t, err, appliance.ErrNoShare, "approvals from an earlier process carry no shares")
	_, err = a.PresentShare(plan.ID, "alice", w.d.Custodian["alice"], pinOf(demo.PIN("alice")))
	require.NoError(t, err)
	_, err = a.Execute(plan.ID, nil)
	require.ErrorIs(t, err, custody.ErrTooFewShares)
	require.ErrorContains(t, err, "have 1: alice")
	require.NotEmpty(t, w.entries(t, audit.CeremonyRefused, "ceremony="+plan.ID, "step=run"))

	_, err = a.PresentShare(plan.ID, "bob", w.d.Custodian["bob"], pinOf(demo.PIN("bob")))
	require.NoError(t, err)
	require.NotEmpty(t, w.entries(t, audit.CustodyEvent, "ceremony="+plan.ID, "custodian=bob", "shares=2, 0 more needed"),
		"alice's share waited in memory for bob's")
	require.NoError(t, a.Abort(plan.ID, "attack test: too few shares shown"))
	plan, err = appliance.Engine{A: a}.Plan(ctx, api.PlanRequest{Kind: api.KindKeyGen, Date: date})
	require.NoError(t, err)
	for _, name := range []string{"alice", "bob"} {
		_, err := a.Approve(plan.ID, name, w.d.Custodian[name], pinOf(demo.PIN(name)))
		require.NoError(t, err)
	}
	w.swappedSets(t, a, plan.ID)
	_, err = a.PresentShare(plan.ID, "carol", w.d.Custodian["carol"], pinOf(demo.PIN("carol")))
	require.ErrorContains(t, err, "carol has not approved plan "+plan.ID)
	require.Equal(t, before, w.applianceLogins(t), "no refused share may lead to a login attempt")
	require.NoError(t, a.Abort(plan.ID, "attack test: refusals shown"))
}

// swappedSets replaces custody/shares.dsse with sets the custodians must
// not use, then puts the real one back.
func (w *world) swappedSets(t *testing.T, a *appliance.Appliance, planID string) {
	path := filepath.Join(w.d.Root, appliance.ShareSetName)
	orig, err := os.ReadFile(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, os.WriteFile(path, orig, 0o644)) }()
	set := w.shareSet(t)
	p := w.policy(t)
	sec, tok := w.quorumLogin(t, set)
	signer, err := tok.PinnedSigner("release-bundle", p.Keys.ReleaseBundle.Fingerprint)
	require.NoError(t, err)
	var holders []custody.Holder
	for _, c := range p.Custody().Holders {
		holders = append(holders, custody.Holder{Name: c.Name, Key: c.SharePublicKey()})
	}
	split := func(hdr custody.SetHeader) []byte {
		b, err := custody.Split(rand.Reader, sec, hdr, holders, signer)
		require.NoError(t, err)
		return b
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"another appliance's set", split(custody.SetHeader{Appliance: strings.Repeat("0", 32), PolicySerial: p.Serial, PolicyDigest: p.Digest(), Threshold: 2}), "appliance"},
		{"a set made for another policy", split(custody.SetHeader{Appliance: w.cfg.ID, PolicySerial: p.Serial, PolicyDigest: "sha256:" + strings.Repeat("0", 64), Threshold: 2}), "policy digest"},
		{"a tampered set", append(append([]byte(nil), orig[:len(orig)/2]...), append([]byte{orig[len(orig)/2] ^ 1}, orig[len(orig)/2+1:]...)...), "shares.dsse"},
	}
	require.NoError(t, tok.Close())
	sec.Wipe()
	for _, tc := range cases {
		require.NoError(t, os.WriteFile(path, tc.data, 0o644), tc.name)
		_, err := a.PresentShare(planID, "bob", w.d.Custodian["bob"], pinOf(demo.PIN("bob")))
		require.ErrorContains(t, err, tc.want, tc.name)
		require.ErrorContains(t, err, appliance.ShareSetName, tc.name)
		require.NotEmpty(t, w.entries(t, audit.CeremonyRefused, "custodian=bob", "step=share"), tc.name)
	}
}

// refusedOpen opens the appliance after an edit and wants the refusal to
// name file, with a STATE_REFUSED entry.
func (w *world) refusedOpen(t *testing.T, file, detail string) {
	t.Helper()
	n := len(w.entries(t, audit.StateRefused))
	_, err := w.d.Appliance(clock, "attacker")
	var m *anchor.MismatchError
	require.True(t, errors.As(err, &m), "want a mismatch, got %v", err)
	require.Equal(t, file, m.File, err.Error())
	require.ErrorContains(t, err, detail)
	require.Len(t, w.entries(t, audit.StateRefused, "when=open"), n+1)
}

// edit replaces a workspace file for one check and restores it.
func (w *world) edit(t *testing.T, rel string, f func(string) string) (restore func()) {
	t.Helper()
	path := filepath.Join(w.d.Root, rel)
	orig, err := os.ReadFile(path)
	require.NoError(t, err)
	changed := f(string(orig))
	require.NotEqual(t, string(orig), changed, "the edit of %s changed nothing", rel)
	require.NoError(t, os.WriteFile(path, []byte(changed), 0o644))
	return func() { require.NoError(t, os.WriteFile(path, orig, 0o644)) }
}

func (w *world) replacedPolicy(t *testing.T) {
	alice := w.policy(t).Custodians[0].ApprovalKey
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	mallory, err := envelope.MarshalPublicKeyPEM(k.Public())
	require.NoError(t, err)
	restore := w.edit(t, "policy.yaml", func(s string) string {
		// alice's approval key becomes the attacker's: a valid policy,
		// and not the one the quorum approved.
		return strings.Replace(s, indent(alice), indent(string(mallory)), 1)
	})
	defer restore()
	w.refusedOpen(t, "policy.yaml", "is not the last policy of the approval chain")

	// Replacing the genesis link too is refused against the genesis the
	// HSM pins; a genesis approval missing a founder is refused as well.
	restoreGenesis := w.edit(t, "policychain/0001.yaml", func(s string) string {
		return strings.Replace(s, indent(alice), indent(string(mallory)), 1)
	})
	w.refusedOpen(t, "policychain/0001.yaml", "the HSM pins genesis policy")
	restoreGenesis()
	restoreApproval := w.edit(t, "policychain/0001.genesis.dsse", func(s string) string {
		var env map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &env))
		sigs := env["signatures"].([]any)
		env["signatures"] = sigs[:len(sigs)-1]
		b, err := json.Marshal(env)
		require.NoError(t, err)
		return string(b)
	})
	w.refusedOpen(t, "policychain/0001.genesis.dsse", "lacks the approval of founding custodian carol")
	restoreApproval()
}

func indent(pem string) string { return strings.ReplaceAll(strings.TrimSpace(pem), "\n", "\n      ") }

func (w *world) loweredVersions(t *testing.T) {
	restore := w.edit(t, "versions.json", func(s string) string {
		return strings.Replace(s, `"security_version": 1`, `"security_version": 0`, 1)
	})
	defer restore()
	w.refusedOpen(t, "versions.json", "infusion-pump is at security version 0 (ceremony 0001-release); the HSM pins 1")
}

func (w *world) resetExported(t *testing.T) {
	state := filepath.Join("ceremonies", "0001-release", "state.json")
	restore := w.edit(t, state, func(s string) string { return strings.Replace(s, `"step": "exported"`, `"step": "planned"`, 1) })
	w.refusedOpen(t, "ceremonies/0001-release/state.json", "the HSM pins the ceremony as closed")
	restoreV := w.edit(t, "versions.json", func(string) string { return "{\"format\": \"signbox-versions/v1\", \"products\": {}}\n" })
	w.refusedOpen(t, "versions.json", "infusion-pump has no released security version; the HSM pins 1")
	restoreV()
	restore()
}

func (w *world) revivedAbort(t *testing.T) {
	ids, err := os.ReadDir(filepath.Join(w.d.Root, "ceremonies"))
	require.NoError(t, err)
	id := ids[len(ids)-1].Name()
	require.Contains(t, id, "keygen", "badShares left an aborted key generation")
	state := filepath.Join("ceremonies", id, "state.json")
	restore := w.edit(t, state, func(s string) string {
		var st map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &st))
		require.Equal(t, "aborted", st["step"])
		st["step"] = "planned"
		delete(st, "aborted")
		b, err := json.MarshalIndent(st, "", "  ")
		require.NoError(t, err)
		return string(b)
	})
	defer restore()
	a := w.open(t) // the anchor has not seen the abort: no quorum session since
	defer a.Close()
	for _, name := range []string{"alice", "bob"} {
		_, err := a.PresentShare(id, name, w.d.Custodian[name], pinOf(demo.PIN(name)))
		require.NoError(t, err, name)
	}
	_, err = a.Execute(id, nil)
	require.ErrorIs(t, err, appliance.ErrClosed)
	require.ErrorContains(t, err, "records "+id+" as aborted")
	require.NotEmpty(t, w.entries(t, audit.CeremonyRefused, "ceremony="+id, "step=run"))
	require.NotEmpty(t, w.entries(t, audit.CustodyEvent, "ceremony="+id, "why=refused"))
}

func (w *world) deletedAuditLog(t *testing.T) {
	dir := filepath.Join(w.d.Root, appliance.AuditDirName)
	floor := filepath.Join(w.d.Root, appliance.AuditFloorName)
	aside := t.TempDir()
	require.NoError(t, os.Rename(dir, filepath.Join(aside, "audit")))
	require.NoError(t, os.Rename(floor, filepath.Join(aside, "floor")))
	defer func() {
		require.NoError(t, os.Rename(filepath.Join(aside, "audit"), dir))
		require.NoError(t, os.Rename(filepath.Join(aside, "floor"), floor))
	}()
	_, err := w.d.Appliance(clock, "attacker")
	var m *anchor.MismatchError
	require.True(t, errors.As(err, &m), "want a mismatch, got %v", err)
	require.Equal(t, "audit/", m.File)
	require.ErrorContains(t, err, "no audit log; the HSM pins one of")
	require.NoDirExists(t, dir, "a deleted log is never silently restarted")
}
