package policy

// Algorithm names a key algorithm; the strings match hsm.Algorithm.
type Algorithm string

const (
	RSA2048    Algorithm = "rsa-2048" // MCUboot firmware keys only
	RSA3072    Algorithm = "rsa-3072"
	ECDSAP256  Algorithm = "ecdsa-p256"
	ECDSAP384  Algorithm = "ecdsa-p384"
	Ed25519    Algorithm = "ed25519"
	HMACSHA256 Algorithm = "hmac-sha256"
)

// KeyStatus is where a key is in its life.
type KeyStatus string

const (
	// StatusPlanned keys are declared but not generated yet; they have no
	// fingerprint. A key generation ceremony creates them.
	StatusPlanned KeyStatus = "planned"
	// StatusActive keys are generated and pinned by fingerprint.
	StatusActive KeyStatus = "active"
	// StatusRevoked keys are retired; nothing is signed with them again.
	StatusRevoked KeyStatus = "revoked"
)

// Keys is the appliance's key inventory.
type Keys struct {
	// SecureBoot holds the ESP32 Secure Boot V2 keys, one per eFuse digest
	// slot (0-2).
	SecureBoot []SecureBootKey `yaml:"secure_boot"`
	// Firmware holds the image signing keys of products in families
	// other than esp32 (MCUboot): each product names one by label.
	Firmware        []Key `yaml:"firmware,omitempty"`
	ReleaseBundle   *Key  `yaml:"release_bundle"`
	AuditMAC        *Key  `yaml:"audit_mac"`
	AuditCheckpoint *Key  `yaml:"audit_checkpoint"`
}

// Key is one HSM key as the policy pins it.
type Key struct {
	Label     string    `yaml:"label"`
	Algorithm Algorithm `yaml:"algorithm"`
	Status    KeyStatus `yaml:"status"`
	// Fingerprint pins the public half: "sha256:<hex of SPKI DER>".
	// Required for active and revoked asymmetric keys, absent for planned
	// keys and for secret (HMAC) keys, which have no public half.
	Fingerprint string `yaml:"fingerprint,omitempty"`
	// Backup marks an appliance key made wrappable, inside the token only,
	// under the quorum-held backup key (see docs/runbooks/custody.md).
	// It is decided when the key is made and cannot change afterwards.
	// The audit keys live on the operator's audit token and are not
	// backed up with the appliance.
	Backup bool `yaml:"backup,omitempty"`
}

// SecureBootKey is a Secure Boot V2 signing key bound to an eFuse slot.
type SecureBootKey struct {
	Slot int `yaml:"slot"`
	Key  `yaml:",inline"`
}

// MaxSecureBootSlots is the number of SBV2 key digest eFuse slots on chips
// with key revocation (esp-idf-formats.md §1: SECURE_BOOT_DIGEST0..2).
const MaxSecureBootSlots = 3

// FirmwareKey returns the keys.firmware entry labelled label, or nil.
func (p *Policy) FirmwareKey(label string) *Key {
	for i := range p.Keys.Firmware {
		if p.Keys.Firmware[i].Label == label {
			return &p.Keys.Firmware[i]
		}
	}
	return nil
}

// SecureBootSlot returns the key in slot, or nil.
func (p *Policy) SecureBootSlot(slot int) *SecureBootKey {
	for i := range p.Keys.SecureBoot {
		if p.Keys.SecureBoot[i].Slot == slot {
			return &p.Keys.SecureBoot[i]
		}
	}
	return nil
}

// NamedKey is a key with its inventory path, for listing every key.
type NamedKey struct {
	Path string // e.g. "keys.secure_boot[0]", "keys.release_bundle"
	Slot int    // eFuse slot for Secure Boot keys, else -1
	*Key
}

// AllKeys lists every key in the inventory in file order.
func (p *Policy) AllKeys() []NamedKey {
	var out []NamedKey
	for i := range p.Keys.SecureBoot {
		k := &p.Keys.SecureBoot[i]
		out = append(out, NamedKey{Path: fieldIndex("keys.secure_boot", i), Slot: k.Slot, Key: &k.Key})
	}
	for i := range p.Keys.Firmware {
		out = append(out, NamedKey{Path: fieldIndex("keys.firmware", i), Slot: -1, Key: &p.Keys.Firmware[i]})
	}
	for _, nk := range []struct {
		path string
		k    *Key
	}{
		{"keys.release_bundle", p.Keys.ReleaseBundle},
		{"keys.audit_mac", p.Keys.AuditMAC},
		{"keys.audit_checkpoint", p.Keys.AuditCheckpoint},
	} {
		if nk.k != nil {
			out = append(out, NamedKey{Path: nk.path, Slot: -1, Key: nk.k})
		}
	}
	return out
}
