package appliance

import (
	"context"
	"errors"
	"fmt"

	"signbox/audit"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/tui/api"
)

// The ceremony lifecycle as the TUI sees it: what is unfinished, how it
// resumes, and what leaving it without an abort keeps.

// Unfinished lists the ceremonies planned but neither exported nor
// aborted, oldest first. A ceremony interrupted while signing is left
// out: it never resumes (ceremony.ErrInterrupted) and needs a new plan.
func (e Engine) Unfinished(ctx context.Context) ([]api.Unfinished, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	ids, err := e.A.ws.Ceremonies()
	if err != nil {
		return nil, err
	}
	var out []api.Unfinished
	for _, id := range ids {
		step, err := e.A.ws.StepOf(id)
		if err != nil {
			return nil, err
		}
		if step != ceremony.StepPlanned && step != ceremony.StepSigned && step != ceremony.StepVerified {
			continue
		}
		s, err := e.A.session(id)
		if err != nil {
			return nil, err
		}
		prog, err := s.Progress()
		if err != nil {
			return nil, fmt.Errorf("ceremony %s: %w", id, err)
		}
		p := s.Plan()
		u := api.Unfinished{ID: id, Kind: kindOf(p.Kind), Date: p.Date, Step: step.String(), Summary: planSummary(p),
			Quorum: quorumOf(prog), Signed: step != ceremony.StepPlanned}
		e.A.addShares(&u.Quorum, s)
		out = append(out, u)
	}
	return out, nil
}

// planSummary is one line saying what a plan does.
func planSummary(p ceremony.Plan) string {
	switch {
	case p.Release != nil:
		return fmt.Sprintf("%s %s, security version %s", p.Release.Product, p.Release.Version, p.Release.SecurityVersion)
	case p.KeyGen != nil:
		labels := make([]string, len(p.KeyGen.Keys))
		for i, k := range p.KeyGen.Keys {
			labels[i] = k.Label
		}
		return fmt.Sprintf("generate %d key(s): %v", len(labels), labels)
	case p.Revocation != nil:
		return fmt.Sprintf("revoke %s (slot %d)", p.Revocation.Key.Label, p.Revocation.Key.Slot)
	case p.PolicyChange != nil:
		return fmt.Sprintf("policy %s serial %d -> serial %d", p.PolicyChange.Old.Name, p.PolicyChange.Old.Serial, p.PolicyChange.New.Serial)
	}
	return string(p.Kind)
}

// Resume reloads an unfinished ceremony's plan with its approvals and the
// shares presented in this session.
func (e Engine) Resume(ctx context.Context, planID string) (api.Plan, error) {
	unlock, err := e.lock(ctx)
	if err != nil {
		return api.Plan{}, err
	}
	defer unlock()
	s, err := e.A.session(planID)
	if err != nil {
		return api.Plan{}, hint(err, "this ceremony cannot be resumed; plan a new one")
	}
	if st := s.Step(); st == ceremony.StepExported || st == ceremony.StepAborted {
		return api.Plan{}, hint(fmt.Errorf("%w: ceremony %s is %s", ceremony.ErrFinished, planID, st), "nothing to resume; plan a new ceremony")
	}
	p, err := planView(s)
	if err != nil {
		return api.Plan{}, err
	}
	e.A.addShares(&p.Quorum, s)
	return p, nil
}

// Suspend ends a ceremony's session and keeps the ceremony: the shares
// released for it are wiped and the appliance token is locked (if this
// ceremony had unlocked it). The operators' leaving is logged.
func (e Engine) Suspend(_ context.Context, planID string) error {
	e.A.mu.Lock() // like Abort, this must run even when the operator has cancelled
	defer e.A.mu.Unlock()
	a := e.A
	s, err := a.session(planID)
	if err != nil {
		return err
	}
	a.wipeShares(planID)
	if q := a.quorum; q != nil && q.plan == planID {
		a.closeQuorum(q, "operators left the ceremony; kept for resume")
	}
	return a.event(audit.CeremonyStep, "ceremony", planID, "step", "left by the operators, kept for resume", "at", s.Step().String())
}

// addShares fills in how many shares of the appliance token's PIN are
// presented for s in this session and how many open the token. While s
// holds the unlocked token the shares have been combined (and wiped):
// it counts as all in.
func (a *Appliance) addShares(q *api.Quorum, s *ceremony.Session) {
	rule := s.Policy().Custody()
	if len(rule.Holders) == 0 || rule.Threshold <= 0 {
		return
	}
	q.SharesNeed = rule.Threshold
	if qs := a.quorum; qs != nil && qs.plan == s.ID() {
		q.Shares = q.SharesNeed
		return
	}
	if col := a.collectors[s.ID()]; col != nil {
		have, more := col.c.Have()
		q.Shares, q.SharesNeed = len(have), len(have)+more
	}
}

// shareNeeded reports whether custodian approved planID but has not
// presented their share in this session, while one is still useful.
func (a *Appliance) shareNeeded(planID, custodian string, approved bool) bool {
	if !approved {
		return false
	}
	if q := a.quorum; q != nil && q.plan == planID {
		return false // the token is already open for this plan
	}
	return a.needsShare(planID, custodian)
}

// signedAwaitingShare reports whether approving planID as custodian can
// only mean presenting their share: the plan has signed (approvals are
// closed), custodian's approval is on disk and their share is not in.
func (a *Appliance) signedAwaitingShare(planID, custodian string) bool {
	s, err := a.session(planID)
	if err != nil {
		return false
	}
	if st := s.Step(); st != ceremony.StepSigned && st != ceremony.StepVerified {
		return false
	}
	return approvedBy(s, custodian) && a.shareNeeded(planID, custodian, true)
}

// pinHinted is a login failure with the token's PIN flags.
type pinHinted struct {
	hinted
	state api.PINState
}

func (p pinHinted) PINState() api.PINState { return p.state }

// approveError explains a failed approval. A wrong or locked PIN carries
// what the token now says of its PIN counter.
func (a *Appliance) approveError(err error, custodian, tokenURI string) error {
	h := hinted{err: err, hint: "check the PIN and that this is " + custodian + "'s own token; repeated wrong PINs may lock it"}
	if !errors.Is(err, hsm.ErrPINIncorrect) && !errors.Is(err, hsm.ErrPINLocked) {
		return h
	}
	st := a.pinState(tokenURI)
	st.Locked = st.Locked || errors.Is(err, hsm.ErrPINLocked)
	if st.Locked {
		h.hint = custodian + "'s token is locked: the security officer resets its PIN (C_InitPIN); another custodian approves meanwhile"
	}
	return pinHinted{hinted: h, state: st}
}

// pinState reads the PIN flags of the token tokenURI names.
func (a *Appliance) pinState(tokenURI string) api.PINState {
	toks, err := hsm.ListTokens(a.cfg.Module)
	if err != nil {
		return api.PINState{}
	}
	for _, t := range toks {
		if t.URI == tokenURI {
			return api.PINState{CountLow: t.PINCountLow, FinalTry: t.PINFinalTry, Locked: t.PINLocked}
		}
	}
	return api.PINState{}
}
