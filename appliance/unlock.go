package appliance

import (
	"errors"
	"fmt"
	"path/filepath"

	"signbox/anchor"
	"signbox/appliance/internal/faults"
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
	// set is the id of the share set whose secret opened the token.
	set string
	// resumed is the new set's id when unlock finished a rotation that a
	// crash interrupted after the PIN changed (see rotate.go).
	resumed string
	// staleLink: the token holds a rotation link from this session's set
	// that was never used (a crash before the PIN changed).
	staleLink bool
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
	set := ""
	if col := a.collectors[planID]; col != nil {
		set = col.set
	}
	secret, err := a.combine(planID)
	if err != nil {
		return nil, a.refuseRun(planID, err)
	}
	q, err := a.loginQuorum(planID, secret, set)
	if err != nil {
		_ = a.event(audit.AuthFailure, "ceremony", planID, "token", "appliance", "reason", err.Error())
		return nil, err
	}
	if err := a.checkPrivateAnchor(q); err != nil {
		a.closeQuorum(q, "refused")
		return nil, err
	}
	a.quorum = q
	return q, a.event(audit.CustodyEvent, "ceremony", planID, "step", "appliance token unlocked", "anchor", fmt.Sprint(q.anchor.Counter), "share_set", q.set)
}

// loginQuorum logs in with the secret rebuilt from the shares of set,
// taking into account a share rotation a crash interrupted (rotate.go):
// the token's rotation link leads from the old set to the new one, and
// its PIN may belong to either. secret is the session's or wiped.
func (a *Appliance) loginQuorum(planID string, secret *custody.Secret, set string) (*quorumSession, error) {
	link, lerr := a.readRotationLink()
	if lerr != nil {
		_ = a.event(audit.CustodyEvent, "ceremony", planID, "step", "rotation link unreadable", "error", lerr.Error())
		link = nil
	}
	tok, err := a.login(secret)
	switch {
	case err == nil:
		q := &quorumSession{plan: planID, tok: tok, secret: secret, set: set}
		if link != nil && link.To == set {
			// The new set opened the token: the SO PIN may still follow
			// the old secret, which the link gives back.
			if old, err := link.Backward(secret); err == nil {
				q.pendingSO = [2][]byte{old.SOPIN(), secret.SOPIN()}
				old.Wipe()
			}
		}
		q.staleLink = link != nil && link.From == set
		return q, nil
	case errors.Is(err, hsm.ErrPINIncorrect) && link != nil && link.From == set:
		tok, next, rerr := a.resumeRotation(link, secret, set)
		if rerr != nil {
			secret.Wipe()
			return nil, fmt.Errorf("%w; resuming the interrupted share rotation to set %s: %w", err, link.To, rerr)
		}
		q := &quorumSession{plan: planID, tok: tok, secret: next, set: link.To, resumed: link.To,
			pendingSO: [2][]byte{secret.SOPIN(), next.SOPIN()}}
		secret.Wipe()
		return q, nil
	default:
		secret.Wipe()
		return nil, err
	}
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
	switch {
	case q.pendingSO[0] != nil:
		a.finishSOPIN(q)
	case q.staleLink:
		// A rotation that never changed a PIN: its link and new set are
		// of no use to anyone.
		if a.pub.DeleteData(rotationLinkLabel, true) == nil {
			_ = removeIfExists(filepath.Join(a.cfg.Root, shareSetNextName))
		}
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
	if s.Plan().Kind == policy.KindPolicyChange {
		if _, err = a.rotateShares(q, p); err != nil {
			return err
		}
	}
	if err := a.commitAnchor(q, p, q.set); err != nil {
		return err
	}
	faults.At("rotation: anchor written")
	a.closeQuorum(q, "ceremony "+s.ID()+" exported")
	return nil
}
