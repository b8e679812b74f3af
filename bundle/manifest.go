package bundle

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"signbox/airgap"
	"signbox/airgap/strictjson"
)

// ManifestKind is checked before anything else in a manifest is decoded.
const ManifestKind = "signbox.release-bundle/v1"

// PayloadType is the DSSE payload type of manifest.dsse.json.
const PayloadType = "application/vnd.signbox.release-bundle+json"

// File roles in the manifest.
const (
	RoleImage      = "image"
	RolePublicKey  = "public-key"
	RoleSBOM       = "sbom"
	RoleVEX        = "vex"
	RoleTranscript = "transcript"
	RoleApproval   = "approval"
	RoleCheckpoint = "checkpoint"
	RoleDocument   = "document" // optional: advisory, notice, rollout plan, evidence
)

// requiredRoles must each appear at least once.
var requiredRoles = []string{RoleImage, RolePublicKey, RoleSBOM, RoleVEX, RoleTranscript, RoleApproval, RoleCheckpoint}

// Manifest is the signed content of manifest.dsse.json. Field order is the
// canonical order; lists are sorted (Images by role, Keys by slot, Files
// by path) so that one bundle has exactly one encoding.
type Manifest struct {
	Kind string `json:"kind"`
	// Family is the device/profile family; absent means esp32, so ESP32
	// manifests encode as before.
	Family          string  `json:"family,omitempty"`
	Product         string  `json:"product"`
	Version         string  `json:"version"`
	Chip            string  `json:"chip"`
	SecurityVersion uint32  `json:"security_version"`
	CeremonyDate    string  `json:"ceremony_date"` // YYYY-MM-DD
	PlanDigest      string  `json:"plan_digest"`   // sha256:<hex> of the ceremony plan
	Images          []Image `json:"images"`
	Keys            []Key   `json:"keys"`
	Files           []File  `json:"files"`
}

// Image names a signed firmware image.
type Image struct {
	Role string `json:"role"` // bootloader | app
	Path string `json:"path"`
}

// Key is a Secure Boot V2 public key and the digest a device burns into
// eFuse key slot Slot.
type Key struct {
	Slot        int    `json:"slot"` // 0..2
	Path        string `json:"path"`
	EfuseDigest string `json:"efuse_digest,omitempty"` // lowercase hex SHA-256 (esp32)
	// KeyHash is the KEYHASH TLV value images signed with the key carry
	// (mcuboot): lowercase hex SHA-256, or SHA-384 for a P-384 key.
	KeyHash string `json:"key_hash,omitempty"`
	Revoked bool   `json:"revoked"`
}

// File is one file of the bundle other than the manifest envelope.
type File struct {
	Path   string `json:"path"`
	Role   string `json:"role"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Encode returns the canonical encoding: compact JSON, fields in struct
// order, no HTML escaping, lists sorted, no trailing newline.
func (m *Manifest) Encode() ([]byte, error) {
	c := *m
	c.sort()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (m *Manifest) sort() {
	m.Images = slices.Clone(m.Images)
	m.Keys = slices.Clone(m.Keys)
	m.Files = slices.Clone(m.Files)
	slices.SortFunc(m.Images, func(a, b Image) int { return strings.Compare(a.Role, b.Role) })
	slices.SortFunc(m.Keys, func(a, b Key) int { return a.Slot - b.Slot })
	slices.SortFunc(m.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}

// ParseManifest checks the kind, decodes strictly, validates, and
// requires the input to be the canonical encoding.
func ParseManifest(data []byte) (*Manifest, error) {
	var k struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if k.Kind != ManifestKind {
		return nil, fmt.Errorf("manifest: kind is %q, want %q", k.Kind, ManifestKind)
	}
	var m Manifest
	if err := strictjson.Decode(data, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	canon, err := m.Encode()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canon, data) {
		return nil, fmt.Errorf("manifest: not in canonical encoding")
	}
	return &m, nil
}

// Validate checks every field; errors name the field.
func (m *Manifest) Validate() error {
	if m.Kind != ManifestKind {
		return fmt.Errorf("kind is %q, want %q", m.Kind, ManifestKind)
	}
	checks := []func() error{m.checkHeader, m.checkFiles, m.checkImages, m.checkKeys}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manifest) checkHeader() error {
	for _, f := range []struct{ name, v string }{{"product", m.Product}, {"version", m.Version}} {
		if f.v == "" || len(f.v) > 64 || strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return fmt.Errorf("%s: %q must be 1 to 64 printable ASCII bytes without spaces", f.name, f.v)
		}
	}
	if err := m.checkTarget(); err != nil {
		return err
	}
	if _, err := time.Parse(time.DateOnly, m.CeremonyDate); err != nil {
		return fmt.Errorf("ceremony_date: %w", err)
	}
	d, ok := strings.CutPrefix(m.PlanDigest, "sha256:")
	if !ok || checkHex(d) != nil {
		return fmt.Errorf("plan_digest: %q, want sha256:<64 lowercase hex>", m.PlanDigest)
	}
	return nil
}

func (m *Manifest) checkFiles() error {
	if len(m.Files) > airgap.BundleLimits.MaxEntries {
		return fmt.Errorf("files: more than %d", airgap.BundleLimits.MaxEntries)
	}
	seen := map[string]bool{}
	roles := map[string]bool{}
	for i, f := range m.Files {
		field := fmt.Sprintf("files[%d]", i)
		if err := airgap.CheckPath(f.Path); err != nil {
			return fmt.Errorf("%s.path: %w", field, err)
		}
		if f.Path == airgap.BundleManifest {
			return fmt.Errorf("%s.path: the manifest cannot list itself", field)
		}
		if seen[strings.ToLower(f.Path)] {
			return fmt.Errorf("%s.path: %q listed twice (ignoring case)", field, f.Path)
		}
		seen[strings.ToLower(f.Path)] = true
		if !slices.Contains(requiredRoles, f.Role) && f.Role != RoleDocument {
			return fmt.Errorf("%s.role: %q is not one of %v or %q", field, f.Role, requiredRoles, RoleDocument)
		}
		roles[f.Role] = true
		if err := checkHex(f.SHA256); err != nil {
			return fmt.Errorf("%s.sha256: %w", field, err)
		}
		if f.Size < 0 || f.Size > airgap.BundleLimits.MaxFileBytes {
			return fmt.Errorf("%s.size: %d outside 0..%d", field, f.Size, airgap.BundleLimits.MaxFileBytes)
		}
	}
	for _, r := range requiredRoles {
		if !roles[r] {
			return fmt.Errorf("files: no file with role %q", r)
		}
	}
	return nil
}

func (m *Manifest) checkImages() error {
	if len(m.Images) == 0 || len(m.Images) > 2 {
		return fmt.Errorf("images: %d entries, want 1 or 2", len(m.Images))
	}
	seen := map[string]bool{}
	for i, im := range m.Images {
		if im.Role != airgap.RoleApp && im.Role != airgap.RoleBootloader || seen[im.Role] {
			return fmt.Errorf("images[%d].role: %q is not a new bootloader or app role", i, im.Role)
		}
		seen[im.Role] = true
		if f, ok := m.File(im.Path); !ok || f.Role != RoleImage {
			return fmt.Errorf("images[%d].path: %q is not a file with role %q", i, im.Path, RoleImage)
		}
	}
	if !seen[airgap.RoleApp] {
		return fmt.Errorf("images: no app image")
	}
	return m.checkRoleCount(RoleImage, len(m.Images))
}

func (m *Manifest) checkKeys() error {
	if m.Family != "" {
		return m.checkFamilyKeys()
	}
	if len(m.Keys) == 0 || len(m.Keys) > 3 {
		return fmt.Errorf("keys: %d entries, want 1 to 3 (eFuse key slots)", len(m.Keys))
	}
	slots := map[int]bool{}
	for i, k := range m.Keys {
		if k.Slot < 0 || k.Slot > 2 || slots[k.Slot] {
			return fmt.Errorf("keys[%d].slot: %d is not a new slot 0..2", i, k.Slot)
		}
		slots[k.Slot] = true
		if f, ok := m.File(k.Path); !ok || f.Role != RolePublicKey {
			return fmt.Errorf("keys[%d].path: %q is not a file with role %q", i, k.Path, RolePublicKey)
		}
		if err := checkHex(k.EfuseDigest); err != nil {
			return fmt.Errorf("keys[%d].efuse_digest: %w", i, err)
		}
		if k.KeyHash != "" {
			return fmt.Errorf("keys[%d].key_hash: set in an esp32 manifest", i)
		}
	}
	return m.checkRoleCount(RolePublicKey, len(m.Keys))
}

// checkRoleCount makes sure no file carries a role without being named by
// the matching structured list (an unlisted "image" is suspicious).
func (m *Manifest) checkRoleCount(role string, want int) error {
	n := 0
	for _, f := range m.Files {
		if f.Role == role {
			n++
		}
	}
	if n != want {
		return fmt.Errorf("files: %d with role %q, but %d referenced", n, role, want)
	}
	return nil
}

// File looks up a listed file by path.
func (m *Manifest) File(path string) (File, bool) {
	for _, f := range m.Files {
		if f.Path == path {
			return f, true
		}
	}
	return File{}, false
}

func checkHex(s string) error {
	if len(s) != 64 || strings.ToLower(s) != s {
		return fmt.Errorf("want 64 lowercase hex digits")
	}
	_, err := hex.DecodeString(s)
	return err
}
