package appliance

import (
	"crypto"
	"errors"
	"fmt"

	"signbox/audit"
	"signbox/ceremony"
	"signbox/hsm"
)

// ErrBuildKeyPinned refuses release inputs that did not come through
// signed request media while the policy pins a build key.
var ErrBuildKeyPinned = errors.New("the policy pins a build key")

// Session opens a ceremony of this workspace.
func (a *Appliance) Session(id string) (*ceremony.Session, error) { return a.session(id) }

// PlanReleaseMedia imports release request media (verified under the
// policy's build key, logged) and plans its release for date.
func (a *Appliance) PlanReleaseMedia(media, date string) (*ceremony.Session, error) {
	if err := a.preflightToken("release"); err != nil {
		return nil, err
	}
	imp, err := a.ImportRelease(media)
	if err != nil {
		return nil, err
	}
	return a.PlanRelease(imp.ID, date)
}

// PlanReleaseFiles plans a release from loose files, for a pipeline
// without request media. While the policy pins a build key only signed
// request media may enter, whatever the flags say: the refusal is logged.
func (a *Appliance) PlanReleaseFiles(rel ceremony.ReleaseInputs) (*ceremony.Session, error) {
	if err := a.preflightToken("release"); err != nil {
		return nil, err
	}
	p, err := a.policy()
	if err != nil {
		return nil, err
	}
	if p.Release.BuildKey != "" {
		err := fmt.Errorf("%w: a release enters only as request media signed by it (plan with --request)", ErrBuildKeyPinned)
		_ = a.event(audit.ImportRejected, "kind", "release-files", "product", rel.Product, "version", rel.Version, "reason", err.Error())
		return nil, err
	}
	t, err := RunTriage(a.cfg.Root, p, rel.SBOM, rel.Date)
	if err != nil {
		return nil, err
	}
	rel.Gate = t.Record()
	if rel.PublicKeys, err = a.secureBootPublicKeys(); err != nil {
		return nil, err
	}
	return a.track(a.ws.PlanRelease(rel))
}

// secureBootPublicKeys are the public halves of the Secure Boot keys the
// appliance token holds, by label, for the plan's eFuse digests. The
// public token session needs no PIN.
func (a *Appliance) secureBootPublicKeys() (map[string]crypto.PublicKey, error) {
	p, err := a.policy()
	if err != nil {
		return nil, err
	}
	out := map[string]crypto.PublicKey{}
	for _, k := range p.Keys.SecureBoot {
		ki, err := a.publicKey(k.Label)
		if errors.Is(err, hsm.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[k.Label] = ki.Public
	}
	return out, nil
}

// PlanKeyGeneration plans the generation of the policy's planned keys.
func (a *Appliance) PlanKeyGeneration(in ceremony.KeyGenInputs) (*ceremony.Session, error) {
	if err := a.preflightToken("key-generation"); err != nil {
		return nil, err
	}
	return a.track(a.ws.PlanKeyGeneration(in))
}

// PlanRevocation plans retiring a Secure Boot slot.
func (a *Appliance) PlanRevocation(in ceremony.RevocationInputs) (*ceremony.Session, error) {
	if err := a.preflightToken("key-revocation"); err != nil {
		return nil, err
	}
	return a.track(a.ws.PlanRevocation(in))
}

// PlanPolicyChange plans adopting a new policy under the current quorum.
func (a *Appliance) PlanPolicyChange(in ceremony.PolicyChangeInputs) (*ceremony.Session, error) {
	return a.track(a.ws.PlanPolicyChange(in))
}

func (a *Appliance) track(s *ceremony.Session, err error) (*ceremony.Session, error) {
	if err != nil {
		_ = a.event(audit.CeremonyRefused, "step", "plan", "reason", err.Error())
		return nil, err
	}
	a.sessions[s.ID()] = s
	if err := a.supersede(s); err != nil {
		return nil, err
	}
	return s, nil
}

// supersede keeps at most one live plan per product release: a new plan
// for the same product and version aborts the older ones that have not
// signed, with the reason naming the new plan (and an audit entry), so
// approvals given to an older plan can never be used.
func (a *Appliance) supersede(s *ceremony.Session) error {
	rp := s.Plan().Release
	if rp == nil {
		return nil
	}
	ids, err := a.ws.Ceremonies()
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id == s.ID() {
			continue
		}
		if step, err := a.ws.StepOf(id); err != nil || step != ceremony.StepPlanned {
			continue
		}
		old, err := a.session(id)
		if err != nil {
			continue
		}
		if o := old.Plan().Release; o != nil && o.Product == rp.Product && o.Version == rp.Version {
			if err := a.Abort(id, "superseded by "+s.ID()); err != nil {
				return fmt.Errorf("supersede %s: %w", id, err)
			}
		}
	}
	return nil
}
