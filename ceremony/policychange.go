package ceremony

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"signbox/internal/atomicfile"
	"signbox/policy"
)

// PolicyChangeInputs plans replacing the policy.
type PolicyChangeInputs struct {
	Date      string
	NewPolicy string // path of the proposed policy file
}

// InputPolicy is the proposed policy's input name.
const InputPolicy = "policy.yaml"

// PlanPolicyChange plans replacing the current policy with the file at
// in.NewPolicy. The approvals are counted under the current policy.
func (w *Workspace) PlanPolicyChange(in PolicyChangeInputs) (*Session, error) {
	cur, err := w.Policy()
	if err != nil {
		return nil, err
	}
	f, err := readFile(InputPolicy, in.NewPolicy)
	if err != nil {
		return nil, err
	}
	next, err := policy.Parse(f.data)
	if err != nil {
		return nil, fmt.Errorf("proposed policy: %w", err)
	}
	if err := policy.CheckSuccessor(cur, next); err != nil {
		return nil, fmt.Errorf("%w: proposed policy: %w", ErrPolicyDenied, err)
	}
	return w.create(policy.KindPolicyChange, in.Date, cur, []inputFile{f}, func(p *Plan) error {
		p.PolicyChange = &PolicyChangePlan{
			Old:     p.Policy,
			New:     PolicyRef{Name: next.Name, Serial: next.Serial, Digest: next.Digest()},
			Changes: policyChanges(cur, next),
		}
		return nil
	})
}

type policyChangeKind struct{}

func (policyChangeKind) checkInputs(s *Session) ([]string, error) {
	if s.next.Digest() != s.plan.PolicyChange.New.Digest {
		return nil, fmt.Errorf("%w: proposed policy is %s, the plan says %s", ErrInputChanged, s.next.Digest(), s.plan.PolicyChange.New.Digest)
	}
	return []string{fmt.Sprintf("proposed policy serial %d parses and validates", s.next.Serial)}, nil
}

func (policyChangeKind) evaluate(s *Session) ([]string, error) {
	if err := policy.CheckSuccessor(s.pol, s.next); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPolicyDenied, err)
	}
	r := s.pol.Rule(policy.KindPolicyChange)
	return []string{
		fmt.Sprintf("serial %d → %d", s.pol.Serial, s.next.Serial),
		fmt.Sprintf("approvals count under the current policy: %d of %v", r.Threshold, r.Roles),
	}, nil
}

// newPins lists the keys the new policy pins differently from the old.
func newPins(cur, next *policy.Policy) []KeyRef {
	old := map[string]string{}
	for _, k := range cur.AllKeys() {
		old[k.Label] = k.Fingerprint + string(k.Status)
	}
	var out []KeyRef
	for _, k := range next.AllKeys() {
		if k.Status == policy.StatusActive && k.Fingerprint != "" && old[k.Label] != k.Fingerprint+string(k.Status) {
			out = append(out, KeyRef{Purpose: purposeOf(k.Path), Slot: k.Slot, Label: k.Label, Algorithm: k.Algorithm, Fingerprint: k.Fingerprint})
		}
	}
	return out
}

// preflight checks every newly pinned key against the HSM, so a policy
// never pins a key the appliance does not hold.
func (policyChangeKind) preflight(s *Session, ks KeyStore) error {
	pins := newPins(s.pol, s.next)
	if len(pins) > 0 && ks == nil {
		return errors.New("Sign: the new policy pins keys; checking them needs the appliance HSM")
	}
	for _, k := range pins {
		if _, err := pinnedSigner(ks, k); err != nil {
			return fmt.Errorf("new policy %s: %w", k.Label, err)
		}
	}
	return nil
}

func (policyChangeKind) sign(s *Session, _ KeyStore) ([]Input, error) {
	a, err := s.writeOutput("policy.old.yaml", s.pol.Bytes())
	if err != nil {
		return nil, err
	}
	b, err := s.writeOutput("policy.yaml", s.next.Bytes())
	return []Input{a, b}, err
}

func (policyChangeKind) verify(s *Session) ([]string, error) {
	for _, c := range []struct{ name, digest string }{
		{"policy.old.yaml", s.plan.PolicyChange.Old.Digest},
		{"policy.yaml", s.plan.PolicyChange.New.Digest},
	} {
		b, err := s.output(c.name)
		if err != nil {
			return nil, err
		}
		p, err := policy.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		if p.Digest() != c.digest {
			return nil, fmt.Errorf("%s is %s, the plan says %s", c.name, p.Digest(), c.digest)
		}
	}
	return []string{"old and new policy files match the plan"}, nil
}

func (policyChangeKind) export(s *Session) ([]string, error) {
	cur, err := os.ReadFile(s.ws.policyPath())
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(cur, s.next.Bytes()) {
		if err := atomicfile.Replace(s.ws.policyPath(), s.next.Bytes(), 0o644); err != nil {
			return nil, fmt.Errorf("install policy: %w", err)
		}
	}
	return []string{fmt.Sprintf("policy serial %d installed (%s)", s.next.Serial, s.next.Digest())}, nil
}
