package appliance

import (
	"errors"
	"fmt"

	"signbox/anchor"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/custody"
	"signbox/hsm"
	"signbox/policy"
)

// ErrLocked reports a step that needs the appliance token while no quorum
// has unlocked it.
var ErrLocked = errors.New("the appliance token is locked: its PIN opens only with the quorum's shares")

// quorumSession is the appliance token logged in with the PIN rebuilt
// from the custodians' shares, for one plan. It exists from Execute until
// the ceremony is exported or aborted, or the appliance is closed.
type quorumSession struct {
	plan   string
	tok    *hsm.Token
	secret *custody.Secret
	anchor anchor.State // the private anchor read at login, as checked
	// pendingSO is the old and new SO PIN after a rotation; the SO can log
	// in only once the user session has ended.
	pendingSO [2][]byte
}

// unlock rebuilds the PIN from the shares released for planID, logs in,
// and checks the workspace against the private anchor. Nothing else in
// signbox logs in to the appliance token.
func (a *Appliance) unlock(planID string) (*quorumSession, error) {
	if q := a.quorum; q != nil {
		if q.plan == planID {
			return q, nil
		}
		return nil, fmt.Errorf("the appliance token is unlocked for ceremony %s; finish or abort it first", q.plan)
	}
	secret, err := a.combine(planID)
	if err != nil {
		return nil, a.refuseRun(planID, err)
	}
	tok, err := a.login(secret)
	if err != nil {
		secret.Wipe()
		_ = a.event(audit.AuthFailure, "ceremony", planID, "token", "appliance", "reason", err.Error())
		return nil, err
	}
	q := &quorumSession{plan: planID, tok: tok, secret: secret}
	if err := a.checkPrivateAnchor(q); err != nil {
		a.closeQuorum(q, "refused")
		return nil, err
	}
	a.quorum = q
	return q, a.event(audit.CustodyEvent, "ceremony", planID, "step", "appliance token unlocked", "anchor", fmt.Sprint(q.anchor.Counter))
}

// combine turns the plan's released shares into the secret; too few,
// or shares that do not rebuild the committed secret, are refused here,
// before any login is attempted.
func (a *Appliance) combine(planID string) (*custody.Secret, error) {
	col := a.collectors[planID]
	if col == nil {
		return nil, fmt.Errorf("%w: no custodian has presented a share for %s in this session; each approving custodian presents their token", ErrNoShare, planID)
	}
	secret, err := col.c.Combine()
	if !errors.Is(err, custody.ErrTooFewShares) {
		// Used or refused: the shares leave memory. Too few, they wait
		// for the next custodian.
		a.wipeShares(planID)
	}
	return secret, err
}

func (a *Appliance) login(secret *custody.Secret) (*hsm.Token, error) {
	pin := secret.UserPIN()
	defer clear(pin)
	tok, err := hsm.Open(a.cfg.ApplianceToken, func() ([]byte, error) { return append([]byte(nil), pin...), nil })
	if err != nil {
		return nil, fmt.Errorf("appliance token: %w", err)
	}
	return tok, nil
}

// checkPrivateAnchor reads the authoritative anchor and requires the
// public copy (checked at open) to be the same statement.
func (a *Appliance) checkPrivateAnchor(q *quorumSession) error {
	st, p, err := a.anchorOn(q.tok, anchorPrivateLabel)
	if err != nil {
		return err
	}
	switch {
	case st.Counter < a.anchor.Counter:
		// The private copy is always written first: a newer public one
		// was not written by this appliance.
		err := &anchor.MismatchError{File: "the appliance token's public anchor", Counter: st.Counter,
			Detail: fmt.Sprintf("is #%d, newer than the private anchor #%d", a.anchor.Counter, st.Counter)}
		_ = a.event(audit.StateRefused, "when", "unlock", "reason", err.Error())
		return err
	case st.Counter > a.anchor.Counter:
		// A crash between the two writes, or an older public copy put
		// back: the private anchor decides, and the next write in this
		// session replaces the public copy.
		_ = a.event(audit.CustodyEvent, "step", "public anchor behind", "public", fmt.Sprint(a.anchor.Counter), "private", fmt.Sprint(st.Counter))
	}
	q.anchor, a.anchor = st, st
	return a.checkAnchor(st, p, "unlock")
}

// closeQuorum logs out and wipes the rebuilt secret; after a rotation it
// moves the SO PIN too.
func (a *Appliance) closeQuorum(q *quorumSession, why string) {
	q.tok.Close()
	q.secret.Wipe()
	if a.quorum == q {
		a.quorum = nil
	}
	if old, next := q.pendingSO[0], q.pendingSO[1]; old != nil {
		if err := hsm.SetSOPIN(a.cfg.ApplianceToken, old, next); err != nil {
			_ = a.event(audit.CustodyEvent, "ceremony", q.plan, "step", "SO PIN not rotated", "error", err.Error())
		}
		clear(old)
		clear(next)
	}
	_ = a.event(audit.CustodyEvent, "ceremony", q.plan, "step", "appliance token locked", "why", why)
}

// commitAnchor writes the next anchor from the unlocked session and makes
// it the one this appliance checks against.
func (a *Appliance) commitAnchor(q *quorumSession, p *policy.Policy, shareSet string) error {
	n, err := a.nextAnchor(q.anchor, p, shareSet)
	if err != nil {
		return err
	}
	if err := writeAnchor(a.cfg.Root, q.tok, p, n); err != nil {
		return err
	}
	q.anchor, a.anchor = n, n
	return a.event(audit.CustodyEvent, "ceremony", q.plan, "step", "anchor written", "anchor", fmt.Sprint(n.Counter), "audit_size", fmt.Sprint(n.Audit.Size))
}

// closeIntent pins "planID was signed" in the HSM before the HSM signs,
// so a reset state.json can never get the same plan signed twice.
func (a *Appliance) closeIntent(q *quorumSession, p *policy.Policy) error {
	n := q.anchor.Next()
	n.Close(q.plan)
	if err := writeAnchor(a.cfg.Root, q.tok, p, n); err != nil {
		return err
	}
	q.anchor, a.anchor = n, n
	return nil
}

func (a *Appliance) refuseRun(planID string, cause error) error {
	_ = a.event(audit.CeremonyRefused, "ceremony", planID, "step", "run", "reason", cause.Error())
	return cause
}

func approvedBy(s *ceremony.Session, name string) bool {
	prog, err := s.Progress()
	if err != nil {
		return false
	}
	for _, ap := range prog.Approved {
		if ap.Custodian == name {
			return true
		}
	}
	return false
}

// finishQuorum pins what the exported ceremony changed (floors, the
// closed ceremony, a new policy and its share set, the audit head) in the
// HSM, then logs out and wipes the secret.
func (a *Appliance) finishQuorum(q *quorumSession, s *ceremony.Session) error {
	p, err := a.policy() // a policy change has just written the new one
	if err != nil {
		return err
	}
	shareSet := ""
	if s.Plan().Kind == policy.KindPolicyChange {
		if shareSet, err = a.rotateShares(q, p); err != nil {
			return err
		}
	}
	if err := a.commitAnchor(q, p, shareSet); err != nil {
		return err
	}
	a.closeQuorum(q, "ceremony "+s.ID()+" exported")
	return nil
}
