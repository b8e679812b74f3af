package appliance

import (
	"crypto"
	"fmt"

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
	imp, t, err := a.triageOn(requestID, date)
	if err != nil {
		return nil, err
	}
	s, err := a.ws.PlanRelease(imp.ReleaseInputs(date, t.Record()))
	if err != nil {
		return nil, err
	}
	a.sessions[s.ID()] = s
	return s, nil
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

// Approve logs in to a custodian's own token, finds the key whose public
// half the policy pins for them and signs the plan digest with it.
func (a *Appliance) Approve(planID, custodian, tokenURI string, pin hsm.PINFunc) (ceremony.Progress, error) {
	s, err := a.session(planID)
	if err != nil {
		return ceremony.Progress{}, err
	}
	c := s.Policy().Custodian(custodian)
	if c == nil {
		return ceremony.Progress{}, fmt.Errorf("%q is not a custodian in the policy", custodian)
	}
	tok, err := hsm.Open(tokenURI, pin)
	if err != nil {
		a.authFailure(custodian, err)
		return ceremony.Progress{}, fmt.Errorf("%s's token: %w", custodian, err)
	}
	defer tok.Close()
	signer, err := approvalKey(tok, c)
	if err != nil {
		a.authFailure(custodian, err)
		return ceremony.Progress{}, err
	}
	return s.Approve(custodian, signer)
}

// approvalKey finds the key on tok that the policy pins for c.
func approvalKey(tok *hsm.Token, c *policy.Custodian) (crypto.Signer, error) {
	keys, err := tok.Keys()
	if err != nil {
		return nil, err
	}
	want := c.Fingerprint()
	for _, k := range keys {
		if k.Fingerprint == want && k.Unusable == "" {
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
// verify inputs, evaluate policy, collect quorum, and sign (or generate,
// revoke, adopt) with the appliance HSM.
func (a *Appliance) Execute(planID string, progress ProgressFunc) ([]ceremony.Input, error) {
	s, err := a.session(planID)
	if err != nil {
		return nil, err
	}
	switch s.Step() {
	case ceremony.StepSigned, ceremony.StepVerified, ceremony.StepExported:
		return s.Outputs(), nil // signed earlier: never sign twice
	}
	steps := []string{"verify inputs", "evaluate policy", "collect quorum", "sign in the HSM"}
	report := func(i int) {
		if progress != nil {
			progress(steps[i], i, len(steps))
		}
	}
	report(0)
	if _, err := s.VerifyInputs(); err != nil {
		return nil, err
	}
	report(1)
	if _, err := s.EvaluatePolicy(); err != nil {
		return nil, err
	}
	report(2)
	q, err := s.CollectQuorum()
	if err != nil {
		return nil, err
	}
	report(3)
	outs, err := s.Sign(q, TokenStore{a.tok})
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress("signed", len(steps), len(steps))
	}
	return outs, nil
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
	return s.Verify()
}

// Abort records that the operators abandoned a ceremony.
func (a *Appliance) Abort(planID, reason string) error {
	s, err := a.session(planID)
	if err != nil {
		return err
	}
	return s.Abort(reason)
}

// TokenStore adapts an hsm.Token to ceremony.KeyStore.
type TokenStore struct{ *hsm.Token }

// GenerateKey creates a key of a policy algorithm inside the token.
func (t TokenStore) GenerateKey(label string, alg policy.Algorithm) (crypto.PublicKey, error) {
	a, err := hsm.ParseAlgorithm(string(alg))
	if err != nil {
		return nil, err
	}
	ki, err := t.Token.GenerateKey(label, a)
	if err != nil {
		return nil, err
	}
	return ki.Public, nil
}
