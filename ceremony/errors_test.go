package ceremony

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/hsm/hsmtest"
)

// releaseReady returns a bootstrapped fixture and a planned release.
func releaseReady(t *testing.T) (*fixture, *Session) {
	t.Helper()
	f := newFixture(t)
	f.bootstrap()
	s, err := f.ws.PlanRelease(images(t, t.TempDir(), 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	return f, s
}

func advance(t *testing.T, s *Session) {
	t.Helper()
	must(t, s.VerifyInputs)
	must(t, s.EvaluatePolicy)
}

// TestApprovalErrors pairs each way an approval can be wrong with its
// sentinel and exact message.
func TestApprovalErrors(t *testing.T) {
	f, older := releaseReady(t)
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, err := f.ws.PlanRelease(images(t, t.TempDir(), 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.ws.PlanRelease(images(t, t.TempDir(), 48<<10))
	if err != nil {
		t.Fatal(err)
	}
	f.approve(older, "alice")
	f.approve(s, "alice")

	for _, tc := range []struct {
		name string
		do   func() error
		is   error
		want string
	}{
		{"duplicate approval", func() error { _, err := s.Approve("alice", f.people["alice"].signer); return err },
			ErrDuplicateApproval, "duplicate approval: alice has already approved this plan"},
		{"duplicate signature merged", func() error { _, err := s.AddApprovals(envOf(t, s)); return err },
			ErrDuplicateApproval, "duplicate approval: signature 1 is alice again (first at signature 0)"},
		{"wrong role", func() error { _, err := s.Approve("erin", f.people["erin"].signer); return err },
			ErrWrongRole, "approver's role does not count for this ceremony: erin is a witness; this ceremony counts only [custodian]"},
		{"release manager not counted", func() error { _, err := s.Approve("dana", f.people["dana"].signer); return err },
			ErrWrongRole, "approver's role does not count for this ceremony: dana is a release-manager; this ceremony counts only [custodian]"},
		{"unknown person", func() error { _, err := s.Approve("mallory", stranger); return err },
			ErrUnknownKey, `approval key is not in the policy: "mallory" is not a custodian in policy serial 2`},
		{"token key is not the person's", func() error { _, err := s.Approve("bob", f.people["carol"].signer); return err },
			ErrKeyMismatch, "HSM key approval key of bob is " + fp(f.people["carol"].signer) + ", policy pins " + fp(f.people["bob"].signer)},
		{"unknown key merged", func() error { _, err := s.AddApprovals(signedBy(t, s, stranger)); return err },
			ErrUnknownKey, `approval key is not in the policy: signature 1 is by key "` + fp(stranger) + `", which policy serial 2 does not list`},
		{"approval for another plan", func() error { _, err := s.AddApprovals(signedBy(t, other, f.people["bob"].signer)); return err },
			ErrWrongPlan, "approval is for another plan: approvals are for ceremony 0005-release plan " + other.Digest().String() + ", this is 0004-release plan " + s.Digest().String()},
		{"replayed older ceremony", func() error { _, err := s.AddApprovals(envOf(t, older)); return err },
			ErrReplayed, "approval is for an older ceremony: approvals are for ceremony 0003-release (sequence 3, 2026-11-21), this is 0004-release (sequence 4)"},
		{"forged signature", func() error { return forged(t, s, f.people["bob"].signer) },
			ErrBadSignature, "approval signature does not verify: signature 1 (bob): signature does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, tc.is) || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}

	// None of the refused approvals reached the disk.
	re, err := f.ws.Open(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := re.Progress(); len(p.Approved) != 1 || p.String() != "1 of 2 approvals (custodian)" {
		t.Fatalf("stored progress %v", p)
	}
	advance(t, re)
	if _, err := re.CollectQuorum(); !errors.Is(err, ErrTooFewApprovals) ||
		err.Error() != "too few approvals: 1 of 2 approvals (custodian); still possible: [bob carol]" {
		t.Fatalf("too few: %v", err)
	}
}

func fp(s interface{ Public() crypto.PublicKey }) string {
	f, _ := fingerprintOf(s.Public())
	return f
}

func envOf(t *testing.T, s *Session) *dsseEnvelope {
	t.Helper()
	env, err := ParseEnvelope(s.Envelope())
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func signedBy(t *testing.T, s *Session, sg crypto.Signer) *dsseEnvelope {
	t.Helper()
	env := newEnvelope(s.PlanBytes())
	if _, err := addSignature(env, sg); err != nil {
		t.Fatal(err)
	}
	return env
}

// forged merges a signature by key sg whose bytes were made over other data.
func forged(t *testing.T, s *Session, sg crypto.Signer) error {
	env := signedBy(t, s, sg)
	other := newEnvelope([]byte("something else"))
	sig, _ := addSignature(other, sg)
	env.Signatures[0].Sig = sig.Sig
	_, err := s.AddApprovals(env)
	return err
}

func TestOutOfOrder(t *testing.T) {
	f, s := releaseReady(t)
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"quorum first", func() error { _, err := s.CollectQuorum(); return err }, `CollectQuorum: session is at "planned", needs "policy evaluated" first`},
		{"evaluate first", func() error { _, err := s.EvaluatePolicy(); return err }, `EvaluatePolicy: session is at "planned", needs "inputs verified" first`},
		{"verify first", func() error { _, err := s.Verify(); return err }, `Verify: session is at "planned", needs "signed" first`},
		{"export first", func() error { _, err := s.Export(); return err }, `Export: session is at "planned", needs "verified" first`},
		{"sign first", func() error { _, err := s.Sign(&Quorum{}, f.hsm); return err }, `Sign: session is at "planned", needs "quorum reached" first`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, ErrOutOfOrder) || err.Error() != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	// A quorum from another session is refused.
	f.approve(s, "alice", "bob")
	advance(t, s)
	if _, err := s.CollectQuorum(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(&Quorum{}, f.hsm); err == nil || err.Error() != "Sign: the quorum is not this session's" {
		t.Fatalf("zero quorum: %v", err)
	}
}

// TestKeyMismatch: an appliance token whose key under a pinned label is a
// different key is refused before anything is signed.
func TestKeyMismatch(t *testing.T) {
	f, s := releaseReady(t)
	impostor := tokenStore{hsmtest.NewToken(t)}
	var got crypto.PublicKey
	for _, l := range []string{"sbv2-slot0", "sbv2-slot1", "sbv2-slot2"} {
		got, _ = impostor.GenerateKey(l, "ecdsa-p256")
		_ = got
	}
	f.approve(s, "alice", "bob")
	advance(t, s)
	q, err := s.CollectQuorum()
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Sign(q, impostor)
	if !errors.Is(err, ErrKeyMismatch) || !strings.HasPrefix(err.Error(), "slot 0: HSM key sbv2-slot0 is sha256:") {
		t.Fatalf("impostor key: %v", err)
	}
	// Nothing was claimed: the real token can still sign this ceremony.
	if _, err := os.Stat(filepath.Join(s.Dir(), "sign.intent")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused preflight left a signing intent")
	}
	if _, err := s.Sign(q, f.hsm); err != nil {
		t.Fatal(err)
	}
}

// TestCrashDuringSigning: a ceremony that stops during signing refuses to
// run again; one that stopped after signing resumes at Verify.
func TestCrashDuringSigning(t *testing.T) {
	f, s := releaseReady(t)
	f.approve(s, "alice", "bob")
	advance(t, s)
	if _, err := s.CollectQuorum(); err != nil {
		t.Fatal(err)
	}
	// The HSM fails in the middle of signing, as a power cut would.
	_, err := s.Sign(s.quorumForTest(t), brokenHSM{f.hsm})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("failing HSM: %v", err)
	}
	if _, err := s.Sign(s.quorumForTest(t), f.hsm); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("second Sign in the same process: %v", err)
	}
	if _, err := f.ws.Open(s.ID()); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("reopen after crash during signing: %v", err)
	}

	s2, err := f.ws.PlanRelease(images(t, t.TempDir(), 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	f.approve(s2, "alice", "bob")
	advance(t, s2)
	q2, _ := s2.CollectQuorum()
	if _, err := s2.Sign(q2, f.hsm); err != nil {
		t.Fatal(err)
	}
	// Crash after signing: a new process opens the ceremony at "signed".
	s3, err := f.ws.Open(s2.ID())
	if err != nil {
		t.Fatal(err)
	}
	if s3.Step() != StepSigned {
		t.Fatalf("resumed at %v", s3.Step())
	}
	if _, err := s3.CollectQuorum(); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("re-collecting after signing: %v", err)
	}
	if _, err := s3.Approve("carol", f.people["carol"].signer); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("approving after signing: %v", err)
	}
	must(t, s3.Verify)
	must(t, s3.Export)
	if _, err := s3.Export(); !errors.Is(err, ErrFinished) {
		t.Fatalf("second export: %v", err)
	}
}

// TestPolicyChangeUnderNewPolicy: approvals that only the new policy would
// count are refused.
func TestPolicyChangeUnderNewPolicy(t *testing.T) {
	f := newFixture(t)
	frank := newPerson(t, "frank", "custodian")
	next := filepath.Join(t.TempDir(), "policy-2.yaml")
	f.writePolicy(next, 2, []*person{frank})
	s, err := f.ws.PlanPolicyChange(PolicyChangeInputs{Date: "2026-11-20", NewPolicy: next})
	if err != nil {
		t.Fatal(err)
	}
	f.approve(s, "alice", "bob")
	_, err = s.AddApprovals(signedBy(t, s, frank.signer))
	want := "policy change approved under the new policy: signature 2 is by frank, who is only in the new policy (serial 2); a policy change is approved under the current policy (serial 1)"
	if !errors.Is(err, ErrNewPolicyApproval) || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	if _, err := s.Approve("frank", frank.signer); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("approve as frank: %v", err)
	}
	advance(t, s)
	if _, err := s.CollectQuorum(); !errors.Is(err, ErrTooFewApprovals) {
		t.Fatalf("2 of 3: %v", err)
	}
	f.approve(s, "dana")
	if _, err := s.CollectQuorum(); err != nil {
		t.Fatal(err)
	}
}

func TestPlanRefusals(t *testing.T) {
	f := newFixture(t)
	in := images(t, t.TempDir(), 32<<10)
	for _, tc := range []struct {
		name string
		plan func() error
		is   error
		want string
	}{
		{"no keys yet", func() error { _, err := f.ws.PlanRelease(in); return err }, ErrPolicyDenied, "policy does not allow this ceremony: no active, unrevoked Secure Boot key to sign with"},
		{"unknown product", func() error { x := in; x.Product = "pager"; _, err := f.ws.PlanRelease(x); return err }, ErrPolicyDenied, `policy does not allow this ceremony: product "pager" is not in the policy`},
		{"wrong chip", func() error { x := in; x.Chip = "esp32h2"; _, err := f.ws.PlanRelease(x); return err }, ErrPolicyDenied, "policy does not allow this ceremony: product pump targets esp32c6, the release says esp32h2"},
		{"version above max", func() error { x := in; x.SecurityVersion = 17; _, err := f.ws.PlanRelease(x); return err }, ErrPolicyDenied, "policy does not allow this ceremony: security version 17 is above the policy's maximum 16 (release.security_version.max)"},
		{"no sbom", func() error { x := in; x.SBOM = ""; _, err := f.ws.PlanRelease(x); return err }, ErrPolicyDenied, "policy does not allow this ceremony: the policy requires an SBOM (release.sbom.required)"},
		{"no gate", func() error { x := in; x.Gate = nil; _, err := f.ws.PlanRelease(x); return err }, ErrPolicyDenied, "policy does not allow this ceremony: no vulnerability gate result; scan the SBOM against the imported feed first (release.vuln_gate)"},
		{"gate failed", func() error {
			x := in
			x.Gate = &GateRecord{Verdict: "fail", Blocking: 1, FeedCreated: "2026-11-18T00:00:00Z"}
			_, err := f.ws.PlanRelease(x)
			return err
		}, ErrPolicyDenied, `policy does not allow this ceremony: vulnerability gate verdict is "fail" with 1 blocking findings`},
		{"feed too old", func() error {
			x := in
			g := *in.Gate
			g.FeedCreated = "2026-11-01T00:00:00Z"
			x.Gate = &g
			_, err := f.ws.PlanRelease(x)
			return err
		}, ErrPolicyDenied, "policy does not allow this ceremony: the OSV feed was created 2026-11-01T00:00:00Z, 20.0 days before the ceremony date 2026-11-21; the policy allows 7.0 days (release.max_feed_age)"},
		{"bad date", func() error { x := in; x.Date = "21.11.2026"; _, err := f.ws.PlanRelease(x); return err }, nil, `ceremony date "21.11.2026" is not YYYY-MM-DD`},
		{"revoke planned slot", func() error {
			_, err := f.ws.PlanRevocation(RevocationInputs{Date: "2026-11-21", Slot: 1, Reason: "x"})
			return err
		}, ErrPolicyDenied, "policy does not allow this ceremony: slot 1 holds no active, unrevoked Secure Boot key"},
		{"keygen unknown label", func() error {
			_, err := f.ws.PlanKeyGeneration(KeyGenInputs{Date: "2026-11-21", Labels: []string{"nope"}})
			return err
		}, ErrPolicyDenied, `policy does not allow this ceremony: no key labelled "nope" in the policy`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.plan()
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
	if ids, _ := f.ws.Ceremonies(); len(ids) != 0 {
		t.Fatalf("refused plans left ceremonies behind: %v", ids)
	}
}

func TestRevokeLastKey(t *testing.T) {
	f := newFixture(t)
	f.bootstrap()
	for slot := range 2 {
		s, err := f.ws.PlanRevocation(RevocationInputs{Date: "2026-11-21", Slot: slot, Reason: "rotation"})
		if err != nil {
			t.Fatal(err)
		}
		f.run(s, "alice", "bob")
	}
	_, err := f.ws.PlanRevocation(RevocationInputs{Date: "2026-11-21", Slot: 2, Reason: "rotation"})
	if !errors.Is(err, ErrPolicyDenied) || !strings.Contains(err.Error(), "slot 2 is the last active key") {
		t.Fatalf("revoking the last key: %v", err)
	}
}

// brokenHSM hands out keys whose public half is right but which fail to
// sign: preflight passes and the failure happens mid-signing.
type brokenHSM struct{ tokenStore }

func (b brokenHSM) Signer(label string) (crypto.Signer, error) {
	s, err := b.tokenStore.Signer(label)
	return brokenSigner{s}, err
}

type brokenSigner struct{ crypto.Signer }

func (brokenSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("token removed")
}

// quorumForTest rebuilds a quorum for a session already at StepQuorum.
func (s *Session) quorumForTest(t *testing.T) *Quorum {
	t.Helper()
	return &Quorum{digest: s.digest, session: s}
}

func TestAbort(t *testing.T) {
	f, s := releaseReady(t)
	f.approve(s, "alice")
	if err := s.Abort("wrong app image"); err != nil {
		t.Fatal(err)
	}
	re, err := f.ws.Open(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if re.Step() != StepAborted || re.AbortReason() != "wrong app image" {
		t.Fatalf("reopened at %v %q", re.Step(), re.AbortReason())
	}
	if _, err := re.VerifyInputs(); !errors.Is(err, ErrFinished) || err.Error() != "VerifyInputs: ceremony already finished: ceremony 0003-release is aborted" {
		t.Fatalf("after abort: %v", err)
	}
	if _, err := re.Approve("bob", f.people["bob"].signer); !errors.Is(err, ErrFinished) {
		t.Fatalf("approve after abort: %v", err)
	}
	if err := re.Abort("again"); !errors.Is(err, ErrFinished) {
		t.Fatalf("abort twice: %v", err)
	}
}

// TestStateRolledBack: even if state.json is rolled back to "planned" after
// signing (a restored backup, an edit), the signing claim stays and the
// ceremony does not sign again.
func TestStateRolledBack(t *testing.T) {
	f, s := releaseReady(t)
	before, err := os.ReadFile(s.statePath())
	if err != nil {
		t.Fatal(err)
	}
	f.run(s, "alice", "bob")
	if err := os.WriteFile(s.statePath(), before, 0o600); err != nil {
		t.Fatal(err)
	}
	re, err := f.ws.Open(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	advance(t, re)
	q, err := re.CollectQuorum()
	if err != nil {
		t.Fatal(err)
	}
	_, err = re.Sign(q, f.hsm)
	if err == nil || !strings.Contains(err.Error(), "claim the signing step") || !strings.Contains(err.Error(), "output already exists") {
		t.Fatalf("re-sign after rollback: %v", err)
	}
}

// TestWrongRoleNeverCounts: a custodian whose role the policy does not count
// for a release is refused on every way in, not only through Approve:
// merged with AddApprovals, and written straight into the ceremony's
// approvals envelope on disk (where alice + dana would otherwise make 2 of 2).
func TestWrongRoleNeverCounts(t *testing.T) {
	f, s := releaseReady(t)
	f.approve(s, "alice")
	for _, who := range []string{"dana", "erin"} {
		_, err := s.AddApprovals(signedBy(t, s, f.people[who].signer))
		if !errors.Is(err, ErrWrongRole) || !strings.Contains(err.Error(), who+" is a ") {
			t.Fatalf("AddApprovals from %s: %v", who, err)
		}
	}

	env := envOf(t, s)
	if _, err := addSignature(env, f.people["dana"].signer); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.EnvelopePath(), encodeEnvelope(env), 0o600); err != nil {
		t.Fatal(err)
	}
	re, err := f.ws.Open(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	want := "approver's role does not count for this ceremony: dana is a release-manager; this ceremony counts only [custodian]"
	if _, err := re.Progress(); !errors.Is(err, ErrWrongRole) || err.Error() != want {
		t.Fatalf("progress from disk: %v", err)
	}
	advance(t, re)
	if q, err := re.CollectQuorum(); !errors.Is(err, ErrWrongRole) || q != nil {
		t.Fatalf("quorum from disk: %v", err)
	}
}
