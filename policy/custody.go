package policy

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"fmt"
)

// CustodyRule says who holds a share of the appliance token's PINs and how
// many shares open it. It is derived, not written: the holders are the
// people whose role counts towards every ceremony kind's quorum, and the
// threshold is the smallest quorum threshold. So every quorum the policy
// accepts can open the token, and fewer people than the smallest quorum
// never can — the hardware floor under the software quorum.
type CustodyRule struct {
	Threshold int
	Holders   []*Custodian // file order
}

// Custody returns the custody rule of a validated policy.
func (p *Policy) Custody() CustodyRule {
	r := CustodyRule{Threshold: -1}
	for _, k := range Kinds {
		if t := p.Rule(k).Threshold; r.Threshold < 0 || t < r.Threshold {
			r.Threshold = t
		}
	}
	for i := range p.Custodians {
		if p.holdsShare(p.Custodians[i].Role) {
			r.Holders = append(r.Holders, &p.Custodians[i])
		}
	}
	return r
}

// Holder returns the share holder named name, or nil if name holds none.
func (r CustodyRule) Holder(name string) *Custodian {
	for _, c := range r.Holders {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// holdsShare reports whether people with role r count for every kind.
func (p *Policy) holdsShare(r Role) bool {
	for _, k := range Kinds {
		if !p.Rule(k).Allows(r) {
			return false
		}
	}
	return true
}

// SharePublicKey is the parsed share_key (nil for people without a share).
func (c *Custodian) SharePublicKey() *ecdh.PublicKey { return c.sharePub }

// ShareFingerprint is the share key's "sha256:<hex of SPKI DER>", "" if none.
func (c *Custodian) ShareFingerprint() string { return c.shareFP }

// parseShareKey reads c.ShareKey: a PEM P-256 public key for ECDH.
func (c *Custodian) parseShareKey(path string) error {
	if c.ShareKey == "" {
		return nil
	}
	pub, err := ParsePublicKeyPEM(c.ShareKey)
	if err != nil {
		return fmt.Errorf("%s.share_key: %w", path, err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return fmt.Errorf("%s.share_key: must be a P-256 EC key (shares are sealed with ECDH P-256), got %s", path, keyTypeName(pub))
	}
	if c.sharePub, err = ec.ECDH(); err != nil {
		return fmt.Errorf("%s.share_key: %w", path, err)
	}
	c.shareFP, err = Fingerprint(pub)
	return err
}

// validateCustody checks that every share holder can receive a share and
// that share keys are personal and kept apart from approval keys.
func (p *Policy) validateCustody() error {
	seen := map[string]int{}
	for i := range p.Custodians {
		c := &p.Custodians[i]
		path := fieldIndex("custodians", i)
		holds := p.holdsShare(c.Role)
		switch {
		case holds && c.ShareKey == "":
			return fmt.Errorf("%s.share_key: required: a %s counts towards every quorum, so %s holds a share of the appliance PIN", path, c.Role, c.Name)
		case !holds && c.ShareKey != "":
			return fmt.Errorf("%s.share_key: a %s does not count towards every quorum and holds no share; remove it", path, c.Role)
		case !holds:
			continue
		}
		if c.shareFP == c.fingerprint {
			return fmt.Errorf("%s.share_key: same key as the approval key; use a separate key-agreement key", path)
		}
		if j, dup := seen[c.shareFP]; dup {
			return fmt.Errorf("%s.share_key: same key as custodians[%d] (%s); one key is one person", path, j, p.Custodians[j].Name)
		}
		seen[c.shareFP] = i
	}
	r := p.Custody()
	if len(r.Holders) < r.Threshold {
		return fmt.Errorf("quorum: only %d people count towards every ceremony kind, fewer than the smallest threshold %d; nobody could open the appliance token", len(r.Holders), r.Threshold)
	}
	if r.Threshold < MinThreshold {
		return errors.New("quorum: a threshold below 2 would let one person open the appliance token")
	}
	return nil
}

func keyTypeName(pub any) string {
	if ec, ok := pub.(*ecdsa.PublicKey); ok {
		return "EC " + ec.Curve.Params().Name
	}
	return fmt.Sprintf("%T", pub)
}
