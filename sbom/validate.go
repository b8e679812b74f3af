package sbom

import (
	"errors"
	"fmt"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Enum values from the CycloneDX 1.6 JSON schema (bom-1.6.schema.json);
// earlier specs use subsets, and the values added later are accepted for
// every version because cyclonedx-go downgrades them on write anyway.
var (
	componentTypes = set("application", "framework", "library", "container", "platform",
		"operating-system", "device", "device-driver", "firmware", "file",
		"machine-learning-model", "data", "cryptographic-asset")
	scopes   = set("required", "optional", "excluded")
	hashAlgs = set("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384",
		"SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3", "Streebog-256", "Streebog-512")
	states = set("resolved", "resolved_with_pedigree", "exploitable", "in_triage",
		"false_positive", "not_affected")
	justifications = set("code_not_present", "code_not_reachable", "requires_configuration",
		"requires_dependency", "requires_environment", "protected_by_compiler",
		"protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control")
	responses  = set("can_not_fix", "will_not_fix", "update", "rollback", "workaround_available")
	severities = set("critical", "high", "medium", "low", "info", "none", "unknown")
	statuses   = set("affected", "unaffected", "unknown")
)

func set(vals ...string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// validator collects every problem rather than stopping at the first, so
// one run tells the SBOM's author everything to fix.
type validator struct {
	refs  map[string]string // bom-ref -> where it was defined
	count int
	errs  []error
}

func (v *validator) addf(format string, args ...any) {
	if len(v.errs) < 50 {
		v.errs = append(v.errs, fmt.Errorf(format, args...))
	}
}

func validate(bom *cdx.BOM) error {
	v := &validator{refs: map[string]string{}}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		v.component(bom.Metadata.Component, "metadata.component", 0)
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			v.component(&(*bom.Components)[i], fmt.Sprintf("components[%d]", i), 0)
		}
	}
	if bom.Services != nil {
		for i, s := range *bom.Services {
			v.define(s.BOMRef, fmt.Sprintf("services[%d]", i))
		}
	}
	v.vulnerabilities(bom)
	v.dependencies(bom)
	return errors.Join(v.errs...)
}

func (v *validator) define(ref, where string) {
	if ref == "" {
		return
	}
	if prev, dup := v.refs[ref]; dup {
		v.addf("%s: bom-ref %q is already used by %s", where, ref, prev)
		return
	}
	v.refs[ref] = where
}

func (v *validator) component(c *cdx.Component, where string, depth int) {
	v.count++
	if v.count > MaxComponents {
		if v.count == MaxComponents+1 {
			v.addf("more than %d components", MaxComponents)
		}
		return
	}
	if depth > MaxNesting {
		v.addf("%s: components nested deeper than %d levels", where, MaxNesting)
		return
	}
	v.define(c.BOMRef, where)
	if !componentTypes[string(c.Type)] {
		v.addf("%s: type %q is not a CycloneDX component type", where, c.Type)
	}
	if c.Name == "" {
		v.addf("%s: name is missing", where)
	}
	if c.Scope != "" && !scopes[string(c.Scope)] {
		v.addf("%s: scope %q is not one of required, optional, excluded", where, c.Scope)
	}
	v.hashes(c.Hashes, where)
	if c.Components != nil {
		for i := range *c.Components {
			v.component(&(*c.Components)[i], fmt.Sprintf("%s.components[%d]", where, i), depth+1)
		}
	}
}

func (v *validator) hashes(hs *[]cdx.Hash, where string) {
	if hs == nil {
		return
	}
	for i, h := range *hs {
		if !hashAlgs[string(h.Algorithm)] {
			v.addf("%s.hashes[%d]: algorithm %q is not a CycloneDX hash algorithm", where, i, h.Algorithm)
		}
		if !isHex(h.Value) {
			v.addf("%s.hashes[%d]: content %q is not hexadecimal", where, i, h.Value)
		}
	}
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
