package appliance

import (
	"errors"
	"fmt"

	"signbox/audit"
	"signbox/hsm"
	"signbox/policy"
)

// ErrTokenLacks refuses a plan the appliance token could not carry out:
// its mechanism list lacks what a policy key needs. It is found at
// planning, from the mechanism list alone (no login), rather than at the
// signing step with the custodians in the room.
var ErrTokenLacks = errors.New("the appliance token lacks what the policy needs")

// tokenLacks checks every appliance key the policy plans or uses (the
// audit keys live on the operator's token) against lacks, which names the
// mechanisms missing for an algorithm ("" when none are).
func tokenLacks(p *policy.Policy, lacks func(hsm.Algorithm) string) error {
	for _, k := range p.AllKeys() {
		if k.Status == policy.StatusRevoked || k.Path == "keys.audit_mac" || k.Path == "keys.audit_checkpoint" {
			continue
		}
		alg, err := hsm.ParseAlgorithm(string(k.Algorithm))
		if err != nil {
			return fmt.Errorf("%s: %w", k.Path, err)
		}
		if m := lacks(alg); m != "" {
			return fmt.Errorf("%w: %s %q (%s) needs %s (see `signbox hsm check`)", ErrTokenLacks, k.Path, k.Label, alg, m)
		}
	}
	return nil
}

// preflightToken refuses, with an audit entry, a plan whose keys the
// appliance token cannot generate or sign with.
func (a *Appliance) preflightToken(kind string) error {
	p, err := a.policy()
	if err != nil {
		return err
	}
	if err := tokenLacks(p, a.pub.Lacks); err != nil {
		_ = a.event(audit.CeremonyRefused, "step", "plan", "kind", kind, "reason", err.Error())
		return err
	}
	return nil
}
