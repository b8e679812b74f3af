package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReleaseRules are the conditions every release ceremony checks.
type ReleaseRules struct {
	SecurityVersion SecurityVersionRule `yaml:"security_version"`
	VulnGate        VulnGate            `yaml:"vuln_gate"`
	SBOM            SBOMRules           `yaml:"sbom"`
	// MaxFeedAge bounds how old the OSV feed snapshot may be relative to
	// the ceremony date, e.g. "7d" or "72h".
	MaxFeedAge Duration `yaml:"max_feed_age"`
	// BuildKey, if set, is the PEM public key of the build system; release
	// requests must then carry its signature.
	BuildKey string `yaml:"build_key,omitempty"`
}

// SecurityVersionRule bounds the anti-rollback security version.
type SecurityVersionRule struct {
	// Monotonic must be true: the security version never decreases. It is
	// spelled out so the file says so to its reader.
	Monotonic bool `yaml:"monotonic"`
	// Max is the largest version the products' eFuse field can hold; it
	// is refused beyond the narrowest product chip's SECURE_VERSION width
	// (esp-idf-formats.md §4: 32 on ESP32, 4 on ESP32-C2, 9 on ESP32-C5,
	// 16 on the others; see signbox/device/esp).
	Max int `yaml:"max"`
}

// Severity orders vulnerability severities.
type Severity string

const (
	SeverityNone     Severity = "none"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities; -1 for unknown strings.
func (s Severity) Rank() int {
	for i, x := range []Severity{SeverityNone, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical} {
		if s == x {
			return i
		}
	}
	return -1
}

// VulnGate parameterises the vulnerability release gate (vuln.GatePolicy).
// Every finding always needs a triage decision whose fields agree with
// each other (vuln.Decision.Check), and resolved needs the fixed version
// in the SBOM; these fields add what an open finding may be.
type VulnGate struct {
	// BlockAt refuses open findings (exploitable, in_triage, or resolved
	// without the fix in the SBOM) of this severity or higher, whatever
	// their response. It does not rank an unknown severity.
	BlockAt Severity `yaml:"block_at"`
	// BlockInTriage refuses findings whose decision is still in_triage.
	BlockInTriage bool `yaml:"block_in_triage"`
	// ExploitableNeedsResponse is kept so that existing policies parse:
	// an exploitable decision without a response is now refused at entry
	// and by the gate whatever this says (CycloneDX VEX: exploitable
	// states a response).
	ExploitableNeedsResponse bool `yaml:"exploitable_needs_response"`
	// UnknownSeverity rules open findings whose advisory has no usable
	// score (no valid CVSS vector, no severity word): "block" (the
	// default when omitted) or "allow".
	UnknownSeverity UnknownSeverity `yaml:"unknown_severity,omitempty"`
	// CouldNotEvaluate rules open findings whose ranges could not be
	// evaluated (a version on either side that cannot be parsed or
	// ordered): "block" (the default when omitted) or "allow".
	CouldNotEvaluate UnknownSeverity `yaml:"could_not_evaluate,omitempty"`
	// AllowUnchecked lets SBOM components the feed cannot check pass;
	// otherwise each one blocks.
	AllowUnchecked bool `yaml:"allow_unchecked"`
}

// UnknownSeverity is release.vuln_gate.unknown_severity, and the same
// block-or-allow choice for could_not_evaluate.
type UnknownSeverity string

const (
	UnknownSeverityBlock UnknownSeverity = "block"
	UnknownSeverityAllow UnknownSeverity = "allow"
)

// Allows reports whether open findings of unknown severity may pass: only
// when the policy says "allow"; omitted means block.
func (u UnknownSeverity) Allows() bool { return u == UnknownSeverityAllow }

// SBOMRules say what SBOM a release must carry.
type SBOMRules struct {
	Required bool `yaml:"required"`
	// MinSpecVersion is the oldest CycloneDX spec version accepted, e.g. "1.5".
	MinSpecVersion string `yaml:"min_spec_version"`
	// RequireHashes demands that the SBOM lists the image hashes.
	RequireHashes bool `yaml:"require_hashes"`
	// Suppliers names the supplier (an NTIA minimum element) of release
	// SBOM components whose own entry names none, by purl prefix; the
	// longest matching prefix wins. A component matched by none names no
	// supplier, and evidence check fails the FDA SBOM row on it.
	Suppliers []SupplierRule `yaml:"suppliers"`
}

// SupplierRule names the supplier of every component whose purl starts
// with PURLPrefix.
type SupplierRule struct {
	PURLPrefix string `yaml:"purl_prefix"`
	Name       string `yaml:"name"`
}

// MaxSupplierRules bounds release.sbom.suppliers: one rule per namespace
// of a large SBOM (the demo's 201 components need about 130).
const MaxSupplierRules = 2000

// SupplierMap is Suppliers keyed by prefix, nil when there are none.
func (s *SBOMRules) SupplierMap() map[string]string {
	if s == nil || len(s.Suppliers) == 0 {
		return nil
	}
	m := make(map[string]string, len(s.Suppliers))
	for _, r := range s.Suppliers {
		m[r.PURLPrefix] = r.Name
	}
	return m
}

// Duration is a time.Duration that also accepts whole days ("7d").
type Duration struct{ time.Duration }

// UnmarshalYAML accepts Go durations and "<n>d".
func (d *Duration) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration back in Go syntax.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 3650 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 7d or 72h", s)
	}
	return v, nil
}
