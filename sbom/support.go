package sbom

import (
	"fmt"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Property names carrying FDA's per-component fields. FDA's premarket
// cybersecurity guidance (2023, section V.A.4.b) asks for each component's
// level of support from its maker and its end-of-support date; CycloneDX
// 1.6 has no field for either, so they travel as properties.
const (
	PropSupportLevel = "signbox:fda:support-level"
	PropEndOfSupport = "signbox:fda:end-of-support"
)

// SupportLevel is the maintenance a component's maker provides.
type SupportLevel string

const (
	SupportActive  SupportLevel = "active"  // maintained, security fixes released
	SupportLimited SupportLevel = "limited" // security fixes only, or best effort
	SupportNone    SupportLevel = "none"    // end of life, no fixes
	SupportUnknown SupportLevel = "unknown" // the maker does not say
)

func (l SupportLevel) valid() bool {
	switch l {
	case SupportActive, SupportLimited, SupportNone, SupportUnknown:
		return true
	}
	return false
}

// Support is FDA's per-component support information, as the release
// request states it. A zero EndOfSupport means "not given", which only a
// level of unknown allows: nobody can date the end of support they do not
// know. Supplier, if set, names the component's supplier (an NTIA minimum
// element) for a component whose SBOM entry names none.
type Support struct {
	Level        SupportLevel
	EndOfSupport time.Time
	Supplier     string
}

// MissingSupport names a component lacking FDA support fields.
type MissingSupport struct {
	Path, Ref, Name string
	Fields          []string
}

// MissingSupportError lists every component the release policy requires
// support information for but which has none.
type MissingSupportError struct{ Missing []MissingSupport }

func (e *MissingSupportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d components lack FDA support information:", len(e.Missing))
	for _, m := range e.Missing {
		fmt.Fprintf(&b, "\n  %s %s: %s", m.Path, m.Name, strings.Join(m.Fields, ", "))
	}
	return b.String()
}

// supportFor finds the support information for c: the caller's table by
// bom-ref, then by purl, then the component's own properties.
func supportFor(c *cdx.Component, table map[string]Support) (Support, error) {
	if s, ok := table[c.BOMRef]; ok && c.BOMRef != "" {
		return s, nil
	}
	if s, ok := table[c.PackageURL]; ok && c.PackageURL != "" {
		return s, nil
	}
	var s Support
	if c.Properties == nil {
		return s, nil
	}
	for _, p := range *c.Properties {
		switch p.Name {
		case PropSupportLevel:
			s.Level = SupportLevel(p.Value)
		case PropEndOfSupport:
			t, err := time.Parse(time.DateOnly, p.Value)
			if err != nil {
				return s, fmt.Errorf("component %q: property %s: %w", c.Name, PropEndOfSupport, err)
			}
			s.EndOfSupport = t
		}
	}
	return s, nil
}

// applySupport writes s into c's properties, replacing earlier values.
func applySupport(c *cdx.Component, s Support) {
	var props []cdx.Property
	if c.Properties != nil {
		for _, p := range *c.Properties {
			if p.Name != PropSupportLevel && p.Name != PropEndOfSupport {
				props = append(props, p)
			}
		}
	}
	if s.Level != "" {
		props = append(props, cdx.Property{Name: PropSupportLevel, Value: string(s.Level)})
	}
	if !s.EndOfSupport.IsZero() {
		props = append(props, cdx.Property{Name: PropEndOfSupport, Value: s.EndOfSupport.UTC().Format(time.DateOnly)})
	}
	if len(props) > 0 {
		c.Properties = &props
	}
	if c.Supplier == nil && s.Supplier != "" {
		c.Supplier = &cdx.OrganizationalEntity{Name: s.Supplier}
	}
}

func missingFields(s Support) []string {
	var f []string
	if s.Level == "" {
		f = append(f, "support level")
	}
	if s.EndOfSupport.IsZero() && s.Level != SupportUnknown {
		f = append(f, "end-of-support date")
	}
	return f
}
