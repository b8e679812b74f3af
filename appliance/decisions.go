package appliance

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"signbox/ceremony"
)

// Triage decisions are approved in the plan (docs/ARCHITECTURE.md): the
// release plan binds every finding with its decision, the quorum approves
// the plan, and the VEX names the approving custodians as the deciders.
// The workspace decisions file is anyone's to edit, so before the release
// signs and again before its VEX is written the decisions the scan now
// uses must be exactly the ones the plan binds; any other is refused by
// finding, with an audit entry.

// ErrDecisionsNotApproved reports a triage decision that differs from the
// one the quorum approved in the plan.
var ErrDecisionsNotApproved = errors.New("triage decisions differ from the ones the quorum approved in the plan")

// DecisionsError names each finding whose decision is not the approved one.
type DecisionsError struct {
	Plan    string
	Changed []string // one line per finding
}

func (e *DecisionsError) Error() string {
	return fmt.Sprintf("%s: %s: %s; plan and approve again", ErrDecisionsNotApproved, e.Plan, strings.Join(e.Changed, "; "))
}

func (e *DecisionsError) Unwrap() error { return ErrDecisionsNotApproved }

// checkDecisions compares the findings and decisions bound in a release
// plan with a fresh scan of its SBOM on the plan's date. The callers log
// the refusal (refuseRun, and Export's refusal entry).
func (a *Appliance) checkDecisions(s *ceremony.Session, t *Triage) error {
	g := s.Plan().Release.VulnGate
	if g == nil {
		return nil // refused by the ceremony's own gate check
	}
	now := map[string]ceremony.FindingRecord{}
	for _, f := range t.findingRecords() {
		now[f.Advisory+" "+f.Component] = f
	}
	var changed []string
	for _, f := range g.Findings {
		k := f.Advisory + " " + f.Component
		n, ok := now[k]
		delete(now, k)
		switch {
		case !ok:
			changed = append(changed, k+": no longer found by the scan")
		case !reflect.DeepEqual(n, f):
			changed = append(changed, fmt.Sprintf("%s: approved %q, now %q", k, f.Line(), n.Line()))
		}
	}
	for k := range now {
		changed = append(changed, k+": not in the approved plan")
	}
	if len(changed) == 0 && g.DecisionsDigest != t.Gate.DecisionsDigest {
		changed = append(changed, fmt.Sprintf("the decisions file is %s, the plan binds %s (a decision no finding uses was added or removed)",
			t.Gate.DecisionsDigest, g.DecisionsDigest))
	}
	if len(changed) == 0 {
		return nil
	}
	return &DecisionsError{Plan: s.ID(), Changed: changed}
}

// approvers names the custodians whose approval of s verified, with their
// approval keys' fingerprints: the authenticated deciders of the plan's
// triage decisions.
func approvers(s *ceremony.Session) ([]string, error) {
	prog, err := s.Progress()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(prog.Approved))
	for _, ap := range prog.Approved {
		out = append(out, ap.Custodian+" "+ap.Fingerprint)
	}
	return out, nil
}

// checkReleaseDecisions runs checkDecisions before a release signs. The
// refusal's audit entry is written by the caller (refuseRun).
func (a *Appliance) checkReleaseDecisions(s *ceremony.Session) error {
	rp := s.Plan().Release
	if rp == nil {
		return nil
	}
	sbomIn, ok := s.InputPath(ceremony.InputSBOM)
	if !ok {
		return nil // no SBOM, no scan: the policy allowed it at planning
	}
	t, err := RunTriage(a.cfg.Root, s.Policy(), sbomIn, s.Plan().Date)
	if err != nil {
		return err
	}
	return a.checkDecisions(s, t)
}
