package ceremony

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"signbox/policy"
)

// PlanFormat names the plan encoding; it is the first field of every plan.
const PlanFormat = "signbox-plan/v2"

// Kind is a ceremony kind; the values match the policy's quorum keys.
type Kind = policy.Kind

// Plan is the canonical description of one ceremony: what goes in, what
// changes, which keys act, under which policy, on which date. Its canonical
// bytes are encoding/json of this struct (fixed field order, no maps, no
// floats), and the custodians approve their SHA-256.
type Plan struct {
	Format       string            `json:"format"`
	ID           string            `json:"id"`
	Sequence     uint64            `json:"sequence"`
	Kind         Kind              `json:"kind"`
	Date         string            `json:"date"` // YYYY-MM-DD, confirmed by the operators
	Policy       PolicyRef         `json:"policy"`
	Inputs       []Input           `json:"inputs"`
	Release      *ReleasePlan      `json:"release,omitempty"`
	KeyGen       *KeyGenPlan       `json:"key_generation,omitempty"`
	Revocation   *RevocationPlan   `json:"key_revocation,omitempty"`
	PolicyChange *PolicyChangePlan `json:"policy_change,omitempty"`
}

// PolicyRef identifies a policy version.
type PolicyRef struct {
	Name   string `json:"name"`
	Serial uint64 `json:"serial"`
	Digest string `json:"digest"`
}

// Input is one file the ceremony consumes, by content.
type Input struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// KeyRef is one HSM key the ceremony uses or creates.
type KeyRef struct {
	Purpose     string           `json:"purpose"` // "secure_boot", "release_bundle", "audit_mac", "audit_checkpoint"
	Slot        int              `json:"slot"`    // eFuse slot for secure_boot, -1 otherwise
	Label       string           `json:"label"`
	Algorithm   policy.Algorithm `json:"algorithm"`
	Fingerprint string           `json:"fingerprint,omitempty"`
	// EFuseDigest is, for a Secure Boot key whose public half the
	// appliance token holds, the SHA-256 of its SBV2 key block: the value
	// devices burn into SECURE_BOOT_DIGEST<slot> (lowercase hex).
	EFuseDigest string `json:"efuse_digest,omitempty"`
}

// ReleasePlan is what a release signing ceremony does.
type ReleasePlan struct {
	Product         string        `json:"product"`
	Version         string        `json:"version"`
	Chip            string        `json:"chip"`
	SecurityVersion VersionChange `json:"security_version"`
	Images          []ImageRecord `json:"images"`
	Keys            []KeyRef      `json:"keys"`
	VulnGate        *GateRecord   `json:"vuln_gate"`
	// Image is set for a product outside the ESP32 family (MCUboot): the
	// one image the release signs and what it will carry. ESP32 releases
	// leave it out, so their plans encode as before.
	Image *ImagePlan `json:"image,omitempty"`
}

// ImagePlan binds a release's one image for a family that wraps the
// build in its own signed container (MCUboot: header, protected TLVs,
// KEYHASH, signature). Plain fields, so a plan renderer shows each.
type ImagePlan struct {
	Family string `json:"family"` // device/profile family name
	Board  string `json:"board"`
	// Version is the image header version (imgtool -v).
	Version string `json:"version"`
	// SecurityCounter is the image's SEC_CNT (imgtool -s): the product's
	// anti-rollback floor once released.
	SecurityCounter uint32 `json:"security_counter"`
	// BuiltSHA256 is sha256:<hex> of the unsigned build (app.bin).
	BuiltSHA256 string `json:"built_sha256"`
	// Key is the keys.firmware label that signs.
	Key string `json:"key"`
	// KeyHash is hex of what devices hold to recognise the key (the
	// profile's KeyID: MCUboot's KEYHASH TLV value).
	KeyHash string `json:"key_hash"`
}

// ImageRecord is one input image as built, read from its own header and
// descriptor: the custodians see what the chip will be told.
type ImageRecord struct {
	Input         string `json:"input"` // InputBootloader or InputApp
	Kind          string `json:"kind"`  // "bootloader" or "app"
	Chip          string `json:"chip"`
	ProjectName   string `json:"project_name,omitempty"` // app only (esp_app_desc_t)
	Version       string `json:"version,omitempty"`      // app only
	SecureVersion uint32 `json:"secure_version"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
}

// VersionChange shows a security version old → new. Old is nil when the
// product has never been released from this workspace.
type VersionChange struct {
	Old *uint32 `json:"old"`
	New uint32  `json:"new"`
}

func (v VersionChange) String() string {
	if v.Old == nil {
		return fmt.Sprintf("none → %d", v.New)
	}
	return fmt.Sprintf("%d → %d", *v.Old, v.New)
}

// KeyGenPlan lists the keys a key generation ceremony creates.
type KeyGenPlan struct {
	Keys []KeyRef `json:"keys"`
}

// RevocationPlan retires one Secure Boot slot.
type RevocationPlan struct {
	Key       KeyRef   `json:"key"`
	Reason    string   `json:"reason"`
	Remaining []KeyRef `json:"remaining"`
	SignedBy  KeyRef   `json:"signed_by"` // the release-bundle key signs the revocation record
	// StillBoot says, line by line, which devices boot after they burn
	// the slot's revoke bit.
	StillBoot []string `json:"still_boot"`
}

// PolicyChangePlan replaces the policy.
type PolicyChangePlan struct {
	Old     PolicyRef     `json:"old"`
	New     PolicyRef     `json:"new"`
	Changes []FieldChange `json:"changes"`
}

// Canonical returns the plan's canonical bytes.
func (p *Plan) Canonical() []byte {
	b, err := json.Marshal(p)
	if err != nil {
		panic("ceremony: plan does not encode: " + err.Error()) // only plain types inside
	}
	return b
}

// Digest is the SHA-256 of the canonical bytes.
func (p *Plan) Digest() Digest { return digestOf(p.Canonical()) }

// ParsePlan decodes plan bytes strictly: known fields only, exactly one
// kind section, and the bytes must be the canonical encoding, so one plan
// has exactly one byte form and one digest.
func ParsePlan(b []byte) (*Plan, error) {
	if len(b) > MaxPlanSize {
		return nil, fmt.Errorf("plan is %d bytes, more than %d", len(b), MaxPlanSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode plan: data after the plan")
	}
	if !bytes.Equal(p.Canonical(), b) {
		return nil, errors.New("plan is not in canonical form")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *Plan) check() error {
	if p.Format != PlanFormat {
		return fmt.Errorf("plan format %q, want %q", p.Format, PlanFormat)
	}
	if _, err := ParseDate(p.Date); err != nil {
		return err
	}
	sections := 0
	for _, present := range []bool{p.Release != nil, p.KeyGen != nil, p.Revocation != nil, p.PolicyChange != nil} {
		if present {
			sections++
		}
	}
	want := map[Kind]bool{
		policy.KindReleaseSigning: p.Release != nil,
		policy.KindKeyGeneration:  p.KeyGen != nil,
		policy.KindKeyRevocation:  p.Revocation != nil,
		policy.KindPolicyChange:   p.PolicyChange != nil,
	}
	if sections != 1 || !want[p.Kind] {
		return fmt.Errorf("plan of kind %q must have exactly its own section", p.Kind)
	}
	return nil
}

// ParseDate checks a ceremony date, YYYY-MM-DD. The date is an input the
// operators confirm; the appliance's clock is not trusted.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s {
		return time.Time{}, fmt.Errorf("ceremony date %q is not YYYY-MM-DD", s)
	}
	return t, nil
}
