package ceremony

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"signbox/policy"
)

// Approval is one counted approval.
type Approval struct {
	Custodian   string      `json:"custodian"`
	Role        policy.Role `json:"role"`
	Fingerprint string      `json:"fingerprint"`
}

// Progress is the read-only approval count for a plan.
type Progress struct {
	Kind      Kind
	Threshold int
	Roles     []policy.Role
	Approved  []Approval // valid approvals, in envelope order
	Pending   []string   // people who could still approve
}

// Met reports whether the threshold is reached.
func (p Progress) Met() bool { return len(p.Approved) >= p.Threshold }

// String is "M of N approvals (roles ...)".
func (p Progress) String() string {
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	return fmt.Sprintf("%d of %d approvals (%s)", len(p.Approved), p.Threshold, strings.Join(roles, ", "))
}

// Quorum is proof that a plan's approvals reached the policy's threshold.
// Only Session.CollectQuorum makes one, and Session.Sign requires it.
type Quorum struct {
	digest    Digest
	session   *Session
	approvals []Approval
}

// Approvals lists who approved.
func (q *Quorum) Approvals() []Approval { return append([]Approval(nil), q.approvals...) }

// countApprovals verifies every signature on env against pol and rule.
// Any bad signature is an error rather than being skipped: an envelope
// that carries one is not what the custodians meant to hand over.
func countApprovals(env *dsse.Envelope, plan *Plan, digest Digest, pol *policy.Policy, next *policy.Policy) (Progress, error) {
	rule := pol.Rule(plan.Kind)
	prog := Progress{Kind: plan.Kind, Threshold: rule.Threshold, Roles: rule.Roles}
	if err := checkPayload(env, plan, digest); err != nil {
		return prog, err
	}
	payload, _ := base64.StdEncoding.DecodeString(env.Payload)
	pae := dsse.PAE(env.PayloadType, payload)
	seen := map[string]int{}
	for i, s := range env.Signatures {
		a, err := checkSignature(i, s, pae, pol, rule, next)
		if err != nil {
			return prog, err
		}
		if j, dup := seen[a.Fingerprint]; dup {
			return prog, fmt.Errorf("%w: signature %d is %s again (first at signature %d)", ErrDuplicateApproval, i, a.Custodian, j)
		}
		seen[a.Fingerprint] = i
		prog.Approved = append(prog.Approved, a)
	}
	for _, c := range pol.Custodians {
		if _, done := seen[c.Fingerprint()]; !done && rule.Allows(c.Role) {
			prog.Pending = append(prog.Pending, c.Name)
		}
	}
	return prog, nil
}

func checkSignature(i int, s dsse.Signature, pae []byte, pol *policy.Policy, rule *policy.QuorumRule, next *policy.Policy) (Approval, error) {
	c := pol.CustodianByFingerprint(s.KeyID)
	if c == nil {
		if next != nil {
			if nc := next.CustodianByFingerprint(s.KeyID); nc != nil {
				return Approval{}, fmt.Errorf("%w: signature %d is by %s, who is only in the new policy (serial %d); a policy change is approved under the current policy (serial %d)",
					ErrNewPolicyApproval, i, nc.Name, next.Serial, pol.Serial)
			}
		}
		return Approval{}, fmt.Errorf("%w: signature %d is by key %q, which policy serial %d does not list", ErrUnknownKey, i, s.KeyID, pol.Serial)
	}
	sig, err := base64.StdEncoding.DecodeString(s.Sig)
	if err != nil {
		return Approval{}, fmt.Errorf("%w: signature %d (%s) is not base64", ErrBadSignature, i, c.Name)
	}
	if err := verifyApproval(c.PublicKey(), pae, sig); err != nil {
		return Approval{}, fmt.Errorf("%w: signature %d (%s): %v", ErrBadSignature, i, c.Name, err)
	}
	if !rule.Allows(c.Role) {
		return Approval{}, fmt.Errorf("%w: %s is a %s; this ceremony counts only %v", ErrWrongRole, c.Name, c.Role, rule.Roles)
	}
	return Approval{Custodian: c.Name, Role: c.Role, Fingerprint: s.KeyID}, nil
}
