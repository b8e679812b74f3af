package policy

import (
	"crypto"
	"crypto/ecdh"
)

// Policy is a parsed and validated policy file. Obtain one with [Parse];
// the zero value is not a valid policy.
type Policy struct {
	Version    int          `yaml:"version"`
	Name       string       `yaml:"name"`
	Serial     uint64       `yaml:"serial"`
	Products   []Product    `yaml:"products"`
	Custodians []Custodian  `yaml:"custodians"`
	Quorum     Quorums      `yaml:"quorum"`
	Keys       Keys         `yaml:"keys"`
	Release    ReleaseRules `yaml:"release"`
	// Manufacturer identifies who publishes the hospital documents
	// (security advisory, update notice); optional until a release request
	// carries a clinical block.
	Manufacturer *Manufacturer `yaml:"manufacturer"`

	raw []byte // exact file bytes; the digest covers these
}

// FormatVersion is the only policy format this build understands.
const FormatVersion = 1

// Product is something the appliance signs firmware for: its device
// family (signbox/device/profile), the chip or board within it, and for
// families other than esp32 the firmware key that signs its images.
type Product struct {
	ID string `yaml:"id"`
	// Family is "esp32" (the default when absent) or "mcuboot".
	Family string `yaml:"family,omitempty"`
	// Chip is the ESP32 chip (family esp32), e.g. "esp32c6".
	Chip string `yaml:"chip,omitempty"`
	// Board is the MCUboot SoC (family mcuboot), e.g. "nrf52840".
	Board string `yaml:"board,omitempty"`
	// Key is the label of the key in keys.firmware that signs the
	// product's MCUboot images; ESP32 products are signed with
	// keys.secure_boot and leave it empty.
	Key string `yaml:"key,omitempty"`
}

// Family names of device/profile.
const (
	FamilyESP32   = "esp32"
	FamilyMCUboot = "mcuboot"
)

// FamilyName is the product's family, esp32 when the policy leaves it out.
func (pr *Product) FamilyName() string {
	if pr.Family == "" {
		return FamilyESP32
	}
	return pr.Family
}

// Target is the product's chip (esp32) or board (mcuboot).
func (pr *Product) Target() string {
	if pr.FamilyName() == FamilyESP32 {
		return pr.Chip
	}
	return pr.Board
}

// Role is what a person may do in a ceremony.
type Role string

const (
	RoleCustodian      Role = "custodian"
	RoleReleaseManager Role = "release-manager"
	RoleWitness        Role = "witness"
)

// Custodian is a person with a personal approval token.
type Custodian struct {
	Name string `yaml:"name"`
	Role Role   `yaml:"role"`
	// ApprovalKey is the PEM "PUBLIC KEY" (PKIX) of the key on the
	// person's own token.
	ApprovalKey string `yaml:"approval_key"`
	// ShareKey is the PEM P-256 public key of the key-agreement key on the
	// same token; the person's share of the appliance PIN is sealed to it.
	// Required exactly for share holders (see CustodyRule).
	ShareKey string `yaml:"share_key,omitempty"`

	pub         crypto.PublicKey
	fingerprint string
	sharePub    *ecdh.PublicKey
	shareFP     string
}

// PublicKey is the parsed approval key.
func (c *Custodian) PublicKey() crypto.PublicKey { return c.pub }

// Fingerprint is the approval key's "sha256:<hex of SPKI DER>".
func (c *Custodian) Fingerprint() string { return c.fingerprint }

// Kind names a ceremony kind. The strings are the quorum keys in the file.
type Kind string

const (
	KindKeyGeneration  Kind = "key_generation"
	KindReleaseSigning Kind = "release_signing"
	KindKeyRevocation  Kind = "key_revocation"
	KindPolicyChange   Kind = "policy_change"
)

// Kinds lists every ceremony kind in a fixed order.
var Kinds = []Kind{KindKeyGeneration, KindReleaseSigning, KindKeyRevocation, KindPolicyChange}

// Quorums holds one rule per ceremony kind; all four are required.
type Quorums struct {
	KeyGeneration  *QuorumRule `yaml:"key_generation"`
	ReleaseSigning *QuorumRule `yaml:"release_signing"`
	KeyRevocation  *QuorumRule `yaml:"key_revocation"`
	PolicyChange   *QuorumRule `yaml:"policy_change"`
}

// QuorumRule says how many distinct people holding one of Roles must
// approve.
type QuorumRule struct {
	Threshold int    `yaml:"threshold"`
	Roles     []Role `yaml:"roles"`
}

// Allows reports whether people with role r count towards the rule.
func (q *QuorumRule) Allows(r Role) bool {
	for _, x := range q.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Rule returns the quorum rule for kind k, or nil for an unknown kind.
func (p *Policy) Rule(k Kind) *QuorumRule {
	switch k {
	case KindKeyGeneration:
		return p.Quorum.KeyGeneration
	case KindReleaseSigning:
		return p.Quorum.ReleaseSigning
	case KindKeyRevocation:
		return p.Quorum.KeyRevocation
	case KindPolicyChange:
		return p.Quorum.PolicyChange
	}
	return nil
}

// Custodian returns the person named name, or nil.
func (p *Policy) Custodian(name string) *Custodian {
	for i := range p.Custodians {
		if p.Custodians[i].Name == name {
			return &p.Custodians[i]
		}
	}
	return nil
}

// CustodianByFingerprint returns the person whose approval key has the
// fingerprint fp, or nil. Validation guarantees at most one.
func (p *Policy) CustodianByFingerprint(fp string) *Custodian {
	for i := range p.Custodians {
		if p.Custodians[i].fingerprint == fp {
			return &p.Custodians[i]
		}
	}
	return nil
}

// Product returns the product with id, or nil.
func (p *Policy) Product(id string) *Product {
	for i := range p.Products {
		if p.Products[i].ID == id {
			return &p.Products[i]
		}
	}
	return nil
}
