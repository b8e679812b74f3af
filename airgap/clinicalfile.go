package airgap

import (
	"bytes"
	"fmt"
	"time"

	"signbox/airgap/strictjson"
)

// ClinicalFile is the file a manufacturer's clinical and regulatory staff
// write for `signbox request create --clinical FILE`, in YAML or JSON
// (docs/runbooks/ci-release-request.md shows one):
//
//   - clinical: the request's clinical block (Clinical), required, with
//     the same field names request.json uses;
//   - support: optional FDA per-component support, written into the
//     request's SBOM as the signbox:fda:support-level and
//     signbox:fda:end-of-support properties.
type ClinicalFile struct {
	Clinical *Clinical `json:"clinical"`
	Support  *Support  `json:"support,omitempty"`
}

// Support is FDA's per-component support information (premarket
// cybersecurity guidance, V.A.4.b): a default for every component and
// entries for components named by bom-ref or purl, which win.
type Support struct {
	Default    *ComponentSupport  `json:"default,omitempty"`
	Components []ComponentSupport `json:"components,omitempty"`
}

// ComponentSupport is one component's support level and end-of-support
// date (required unless the level is unknown: an unknown end has no
// date), and optionally its supplier (an NTIA minimum element), written
// only where the SBOM names none. Ref is empty in Support.Default, which
// names no supplier: a supplier is stated per component.
type ComponentSupport struct {
	Ref          string `json:"ref,omitempty"`
	Level        string `json:"level"`
	EndOfSupport string `json:"end_of_support,omitempty"`
	Supplier     string `json:"supplier,omitempty"`
}

// SupportLevels are the accepted support levels, sbom.SupportLevel's
// values.
var SupportLevels = []string{"active", "limited", "none", "unknown"}

// Bounds on a clinical file: it is written by people and read by CI, but
// it is still input.
const (
	MaxClinicalFileBytes = 256 << 10
	maxSupportEntries    = 10_000
	maxRefBytes          = 1024
)

// ParseClinicalFile reads a clinical file: JSON when its first non-space
// byte is '{', YAML otherwise. Both are decoded strictly (unknown and
// duplicate fields refused) and every field is validated; the error names
// every missing or invalid field of the clinical block at once.
func ParseClinicalFile(data []byte) (*ClinicalFile, error) {
	if len(data) > MaxClinicalFileBytes {
		return nil, fmt.Errorf("clinical file: %d bytes, more than %d", len(data), MaxClinicalFileBytes)
	}
	js := data
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) {
		var err error
		if js, err = yamlToJSON(data); err != nil {
			return nil, fmt.Errorf("clinical file: %w", err)
		}
	}
	var f ClinicalFile
	if err := strictjson.Decode(js, &f); err != nil {
		return nil, fmt.Errorf("clinical file: %w", err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("clinical file: %w", err)
	}
	return &f, nil
}

// Validate checks both blocks; errors name the field.
func (f *ClinicalFile) Validate() error {
	if f.Clinical == nil {
		return fmt.Errorf("clinical is required")
	}
	if err := f.Clinical.Validate(); err != nil {
		return err
	}
	if f.Support != nil {
		return f.Support.Validate()
	}
	return nil
}

// Validate checks the support block; errors name the field.
func (s *Support) Validate() error {
	if s.Default == nil && len(s.Components) == 0 {
		return fmt.Errorf("support: give a default, components, or leave support out")
	}
	if s.Default != nil {
		if s.Default.Ref != "" {
			return fmt.Errorf("support.default.ref: the default applies to every component; name components under support.components")
		}
		if s.Default.Supplier != "" {
			return fmt.Errorf("support.default.supplier: a supplier is stated per component, under support.components")
		}
		if err := s.Default.check("support.default"); err != nil {
			return err
		}
	}
	if len(s.Components) > maxSupportEntries {
		return fmt.Errorf("support.components: %d entries, at most %d", len(s.Components), maxSupportEntries)
	}
	seen := map[string]bool{}
	for i, c := range s.Components {
		field := fmt.Sprintf("support.components[%d]", i)
		if c.Ref == "" {
			return fmt.Errorf("%s.ref is required (a bom-ref or purl from the SBOM)", field)
		}
		if err := checkProse(c.Ref, maxRefBytes); err != nil {
			return fmt.Errorf("%s.ref: %w", field, err)
		}
		if seen[c.Ref] {
			return fmt.Errorf("%s.ref: %q listed twice", field, c.Ref)
		}
		seen[c.Ref] = true
		if err := c.check(field); err != nil {
			return err
		}
	}
	return nil
}

func (c ComponentSupport) check(field string) error {
	valid := false
	for _, l := range SupportLevels {
		valid = valid || c.Level == l
	}
	if !valid {
		return fmt.Errorf("%s.level: %q, want one of %v", field, c.Level, SupportLevels)
	}
	if c.Supplier != "" {
		if err := checkProse(c.Supplier, maxRefBytes); err != nil {
			return fmt.Errorf("%s.supplier: %w", field, err)
		}
	}
	if c.EndOfSupport == "" && c.Level == "unknown" {
		return nil
	}
	if c.EndOfSupport == "" {
		return fmt.Errorf("%s.end_of_support is required (YYYY-MM-DD) unless the level is unknown", field)
	}
	if _, err := time.Parse(time.DateOnly, c.EndOfSupport); err != nil {
		return fmt.Errorf("%s.end_of_support: %q is not a date (YYYY-MM-DD)", field, c.EndOfSupport)
	}
	return nil
}
