package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// cycloneDXVersions are the spec versions the sbom package reads.
var cycloneDXVersions = []string{"1.2", "1.3", "1.4", "1.5", "1.6", "1.7"}

// MaxSecurityVersion is the widest eFuse secure-version field (ESP32: 32
// bits; esp-idf-formats.md §4); each product's chip may allow fewer.
const MaxSecurityVersion = 32

func (r *ReleaseRules) validate(path string) error {
	if err := r.SecurityVersion.validate(path + ".security_version"); err != nil {
		return err
	}
	if err := r.VulnGate.validate(path + ".vuln_gate"); err != nil {
		return err
	}
	if err := r.SBOM.validate(path + ".sbom"); err != nil {
		return err
	}
	if r.MaxFeedAge.Duration <= 0 {
		return fmt.Errorf("%s.max_feed_age: required and must be positive, e.g. 7d", path)
	}
	if r.BuildKey != "" {
		if _, err := ParsePublicKeyPEM(r.BuildKey); err != nil {
			return fmt.Errorf("%s.build_key: %w", path, err)
		}
	}
	return nil
}

func (s *SecurityVersionRule) validate(path string) error {
	if !s.Monotonic {
		return fmt.Errorf("%s.monotonic: must be true; anti-rollback versions never decrease", path)
	}
	if s.Max < 1 || s.Max > MaxSecurityVersion {
		return fmt.Errorf("%s.max: %d is outside 1-%d", path, s.Max, MaxSecurityVersion)
	}
	return nil
}

func (v *VulnGate) validate(path string) error {
	if v.BlockAt.Rank() < 0 {
		return fmt.Errorf("%s.block_at: unknown severity %q (want none, low, medium, high or critical)", path, v.BlockAt)
	}
	switch v.UnknownSeverity {
	case "", UnknownSeverityBlock, UnknownSeverityAllow:
	default:
		return fmt.Errorf("%s.unknown_severity: %q is not block or allow (omitted means block)", path, v.UnknownSeverity)
	}
	switch v.CouldNotEvaluate {
	case "", UnknownSeverityBlock, UnknownSeverityAllow:
	default:
		return fmt.Errorf("%s.could_not_evaluate: %q is not block or allow (omitted means block)", path, v.CouldNotEvaluate)
	}
	return nil
}

func (s *SBOMRules) validate(path string) error {
	if err := s.validateSuppliers(path + ".suppliers"); err != nil {
		return err
	}
	if !s.Required {
		if s.MinSpecVersion != "" || s.RequireHashes {
			return errors.New(path + ": min_spec_version and require_hashes need required: true")
		}
		return nil
	}
	if !slices.Contains(cycloneDXVersions, s.MinSpecVersion) {
		return fmt.Errorf("%s.min_spec_version: %q is not a CycloneDX version signbox reads %v", path, s.MinSpecVersion, cycloneDXVersions)
	}
	return nil
}

func (s *SBOMRules) validateSuppliers(path string) error {
	if len(s.Suppliers) > MaxSupplierRules {
		return fmt.Errorf("%s: %d rules, at most %d", path, len(s.Suppliers), MaxSupplierRules)
	}
	seen := map[string]int{}
	for i, r := range s.Suppliers {
		f := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !strings.HasPrefix(r.PURLPrefix, "pkg:") || len(r.PURLPrefix) <= len("pkg:"):
			return fmt.Errorf("%s.purl_prefix: %q is not the start of a purl (pkg:TYPE/...)", f, r.PURLPrefix)
		case strings.TrimSpace(r.Name) == "" || len(r.Name) > 256:
			return fmt.Errorf("%s.name: give the supplier's name (at most 256 bytes)", f)
		}
		if j, dup := seen[r.PURLPrefix]; dup {
			return fmt.Errorf("%s.purl_prefix: %q is already %s[%d]", f, r.PURLPrefix, path, j)
		}
		seen[r.PURLPrefix] = i
	}
	return nil
}
