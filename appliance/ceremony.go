package appliance

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"signbox/audit"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
)

// PlanRelease runs the vulnerability gate for an imported request and
// plans its release ceremony for the given date (YYYY-MM-DD). Every call
// makes a new ceremony with its own id and sequence number, so approvals
// for one plan can never be replayed onto another.
func (a *Appliance) PlanRelease(requestID, date string) (*ceremony.Session, error) {
	if err := a.preflightToken("release"); err != nil {
		return nil, err
	}
	imp, t, err := a.triageOn(requestID, date)
	if err != nil {
		return nil, err
	}
	in := imp.ReleaseInputs(date, t.Record())
	if in.PublicKeys, err = a.secureBootPublicKeys(); err != nil {
		return nil, err
	}
	return a.track(a.ws.PlanRelease(in))
}

// session returns the open session for a ceremony id.
func (a *Appliance) session(id string) (*ceremony.Session, error) {
	if s, ok := a.sessions[id]; ok {
		return s, nil
	}
	s, err := a.ws.Open(id)
	if err != nil {
		return nil, err
	}
	a.sessions[id] = s
	return s, nil
}

// Approve opens a custodian's own token, signs the plan digest with the
// key the policy pins for them and, in the same token session, releases
// their share of the appliance PIN for this plan (held in RAM only).
func (a *Appliance) Approve(planID, custodian, tokenURI string, pin hsm.PINFunc) (ceremony.Progress, error) {
	return a.withCustodianToken(planID, custodian, tokenURI, pin, func(s *ceremony.Session, c *policy.Custodian, tok *hsm.Token) (ceremony.Progress, error) {
		signer, err := approvalKey(tok, c)
		if err != nil {
			a.authFailure(custodian, err)
			return ceremony.Progress{}, err
		}
		prog, err := s.Approve(custodian, signer)
		if err != nil {
			_ = a.event(audit.CeremonyRefused, "ceremony", planID, "custodian", custodian, "step", "approve", "reason", err.Error())
			return prog, err
		}
		return prog, a.releaseShare(planID, c, tok)
	})
}

// PresentShare releases the share of a custodian who approved this plan
// earlier (in another process, or before a restart): shares never outlive
// the process that collected them.
func (a *Appliance) PresentShare(planID, custodian, tokenURI string, pin hsm.PINFunc) (ceremony.Progress, error) {
	return a.withCustodianToken(planID, custodian, tokenURI, pin, func(s *ceremony.Session, c *policy.Custodian, tok *hsm.Token) (ceremony.Progress, error) {
		if _, err := approvalKey(tok, c); err != nil {
			a.authFailure(custodian, err)
			return ceremony.Progress{}, err
		}
		if err := a.releaseShare(planID, c, tok); err != nil {
			return ceremony.Progress{}, err
		}
		return s.Progress()
	})
}

type custodianStep func(*ceremony.Session, *policy.Custodian, *hsm.Token) (ceremony.Progress, error)

func (a *Appliance) withCustodianToken(planID, custodian, tokenURI string, pin hsm.PINFunc, f custodianStep) (ceremony.Progress, error) {
	s, err := a.session(planID)
	if err != nil {
		return ceremony.Progress{}, err
	}
	c := s.Policy().Custodian(custodian)
	if c == nil {
		err := fmt.Errorf("%q is not a custodian in the policy", custodian)
		a.authFailure(custodian, err)
		return ceremony.Progress{}, err
	}
	tok, err := hsm.Open(tokenURI, pin)
	if err != nil {
		a.authFailure(custodian, err)
		return ceremony.Progress{}, fmt.Errorf("%s's token: %w", custodian, err)
	}
	defer tok.Close()
	return f(s, c, tok)
}

// approvalKey finds the key on tok that the policy pins for c.
func approvalKey(tok *hsm.Token, c *policy.Custodian) (crypto.Signer, error) {
	keys, err := tok.Keys()
	if err != nil {
		return nil, err
	}
	want := c.Fingerprint()
	for _, k := range keys {
		if k.Fingerprint == want && k.Unusable == "" && !k.Derive {
			return tok.PinnedSigner(k.Label, want)
		}
	}
	return nil, fmt.Errorf("%w: no key on this token matches %s's approval key %s in the policy", hsm.ErrKeyNotFound, c.Name, want)
}

func (a *Appliance) authFailure(custodian string, cause error) {
	// The failure itself is what the operator sees; a log write error
	// here must not hide it, and the next step's append will surface it.
	_ = a.event(audit.AuthFailure, "custodian", custodian, "reason", cause.Error())
}

// ProgressFunc receives progress from Execute: the step that is about to
// run, and how many of total have run.
type ProgressFunc func(step string, done, total int)

// Execute takes a ceremony with quorum through its irreversible step:
// verify inputs, evaluate policy, collect quorum, unlock the appliance
// token with the custodians' shares, pin the intent in the HSM, and sign
// (or generate, revoke, adopt). The token stays unlocked for Verify and
// Export and is locked when the ceremony is exported or aborted.
func (a *Appliance) Execute(planID string, progress ProgressFunc) ([]ceremony.Input, error) {
	s, err := a.session(planID)
	if err != nil {
		return nil, err
	}
	switch s.Step() {
	case ceremony.StepSigned, ceremony.StepVerified:
		// Signed earlier (never twice), not exported yet: the presenting
		// custodians' shares unlock the token for the export.
		if a.quorum == nil && a.collectors[planID] != nil {
			if _, err := a.unlock(planID); err != nil {
				return nil, err
			}
		}
		return s.Outputs(), nil
	case ceremony.StepExported:
		if a.quorum == nil && a.collectors[planID] != nil && (a.unpinnedPolicyChange(s) || a.rotationPending()) {
			if _, err := a.unlock(planID); err != nil {
				return nil, err
			}
		}
		return s.Outputs(), nil
	case ceremony.StepInputsVerified, ceremony.StepPolicyEvaluated, ceremony.StepQuorum:
		// An earlier attempt stopped before signing (too few shares): the
		// checks run again from the plan on disk.
		delete(a.sessions, planID)
		if s, err = a.session(planID); err != nil {
			return nil, err
		}
	}
	steps := []string{"verify inputs", "evaluate policy", "collect quorum", "unlock the appliance token", "sign in the HSM"}
	report := func(i int) {
		if progress != nil {
			progress(steps[i], i, len(steps))
		}
	}
	q, err := a.prepareRun(s, report)
	if err != nil {
		return nil, a.refuseRun(planID, err)
	}
	report(3)
	qs, err := a.unlock(planID)
	if err != nil {
		return nil, err
	}
	if err := a.checkNotClosed(qs, s); err != nil {
		a.closeQuorum(qs, "refused")
		return nil, a.refuseRun(planID, err)
	}
	if err := a.closeIntent(qs, s.Policy()); err != nil {
		a.closeQuorum(qs, "anchor write failed")
		return nil, err
	}
	report(4)
	outs, err := s.Sign(q, a.keyStore(qs.tok, s.Policy()))
	if err != nil {
		a.closeQuorum(qs, "signing failed")
		return nil, a.refuseRun(planID, err)
	}
	if progress != nil {
		progress("signed", len(steps), len(steps))
	}
	return outs, nil
}

func (a *Appliance) prepareRun(s *ceremony.Session, report func(int)) (*ceremony.Quorum, error) {
	report(0)
	if _, err := s.VerifyInputs(); err != nil {
		return nil, err
	}
	if err := a.checkReleaseDecisions(s); err != nil {
		return nil, err
	}
	report(1)
	if _, err := s.EvaluatePolicy(); err != nil {
		return nil, err
	}
	report(2)
	return s.CollectQuorum()
}

// ErrClosed reports a ceremony the HSM or the audit log knows as closed
// although its state.json says otherwise.
var ErrClosed = errors.New("ceremony is closed")

// checkNotClosed refuses a plan the HSM anchor pins as signed or aborted,
// or that the audit log records as aborted since the last anchor.
func (a *Appliance) checkNotClosed(q *quorumSession, s *ceremony.Session) error {
	if q.anchor.IsClosed(s.ID()) {
		return fmt.Errorf("%w: the HSM anchor #%d pins %s as signed or aborted; ceremonies/%s/state.json was edited", ErrClosed, q.anchor.Counter, s.ID(), s.ID())
	}
	seq, err := a.abortedInLog(s.ID())
	if err != nil {
		return err
	}
	if seq >= 0 {
		return fmt.Errorf("%w: audit entry %d records %s as aborted; ceremonies/%s/state.json was edited", ErrClosed, seq, s.ID(), s.ID())
	}
	return nil
}

// abortedInLog returns the sequence number of an abort of id in the audit
// log, or -1.
func (a *Appliance) abortedInLog(id string) (int64, error) {
	found := int64(-1)
	err := audit.Walk(filepath.Join(a.cfg.Root, AuditDirName), func(e audit.Entry) error {
		if e.Type == audit.CeremonyAborted {
			if v, ok := audit.Field(e.Payload, "ceremony"); ok && v == id {
				found = e.Seq
			}
		}
		return nil
	})
	return found, err
}

// VerifyOutputs re-checks what the HSM produced against the pinned keys.
func (a *Appliance) VerifyOutputs(planID string) (ceremony.Checks, error) {
	s, err := a.session(planID)
	if err != nil {
		return nil, err
	}
	switch s.Step() {
	case ceremony.StepVerified, ceremony.StepExported:
		return ceremony.Checks{"outputs verified earlier in this ceremony"}, nil
	}
	checks, err := s.Verify()
	if err != nil {
		_ = a.event(audit.CeremonyRefused, "ceremony", planID, "step", "verify outputs", "reason", err.Error())
	}
	return checks, err
}

// Abort records that the operators abandoned a ceremony, ends its quorum
// session and drops any shares released for it.
func (a *Appliance) Abort(planID, reason string) error {
	s, err := a.session(planID)
	if err != nil {
		return err
	}
	a.wipeShares(planID)
	if q := a.quorum; q != nil && q.plan == planID {
		a.closeQuorum(q, "aborted")
	}
	return s.Abort(reason)
}

// keyStore routes key generation: the audit keys live on the audit token
// (the operator opens it between ceremonies), every other key on the
// unlocked appliance token.
func (a *Appliance) keyStore(tok *hsm.Token, p *policy.Policy) ceremony.KeyStore {
	audit := map[string]bool{}
	for _, k := range []*policy.Key{p.Keys.AuditMAC, p.Keys.AuditCheckpoint} {
		if k != nil {
			audit[k.Label] = true
		}
	}
	backup := map[string]bool{}
	for _, k := range p.AllKeys() {
		backup[k.Label] = k.Backup
	}
	return routedStore{TokenStore{tok, backup}, TokenStore{a.aud, nil}, audit}
}

// TokenStore adapts an hsm.Token to ceremony.KeyStore. Backup names the
// labels the policy marks for backup: they are made wrappable.
type TokenStore struct {
	*hsm.Token
	Backup map[string]bool
}

// GenerateKey creates a key of a policy algorithm inside the token.
func (t TokenStore) GenerateKey(label string, alg policy.Algorithm) (crypto.PublicKey, error) {
	a, err := hsm.ParseAlgorithm(string(alg))
	if err != nil {
		return nil, err
	}
	var opts []hsm.GenOption
	if t.Backup[label] {
		opts = append(opts, hsm.Wrappable())
	}
	ki, err := t.Token.GenerateKey(label, a, opts...)
	if err != nil {
		return nil, err
	}
	return ki.Public, nil
}

// routedStore sends the audit keys' labels to the audit token.
type routedStore struct {
	appliance, audit TokenStore
	auditLabels      map[string]bool
}

func (r routedStore) pick(label string) TokenStore {
	if r.auditLabels[label] {
		return r.audit
	}
	return r.appliance
}

func (r routedStore) Signer(label string) (crypto.Signer, error) { return r.pick(label).Signer(label) }

func (r routedStore) GenerateKey(label string, alg policy.Algorithm) (crypto.PublicKey, error) {
	return r.pick(label).GenerateKey(label, alg)
}

func (r routedStore) Rand() io.Reader { return r.appliance.Rand() }
