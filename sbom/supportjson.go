package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// SupportTable is FDA support information for the components of a
// release request's SBOM: Default for every component, and entries keyed
// by bom-ref or purl, which win over it.
type SupportTable struct {
	Default *Support
	ByRef   map[string]Support
}

// ParseSupport reads a support level and an end-of-support date
// (YYYY-MM-DD), which a level of unknown may leave empty.
func ParseSupport(level, endOfSupport string) (Support, error) {
	l := SupportLevel(level)
	if !l.valid() {
		return Support{}, fmt.Errorf("support level %q: want active, limited, none or unknown", level)
	}
	if endOfSupport == "" && l == SupportUnknown {
		return Support{Level: l}, nil
	}
	t, err := time.Parse(time.DateOnly, endOfSupport)
	if err != nil {
		return Support{}, fmt.Errorf("end-of-support date %q: want YYYY-MM-DD", endOfSupport)
	}
	return Support{Level: l, EndOfSupport: t}, nil
}

// AddSupportJSON writes the table into a CycloneDX JSON SBOM as the
// PropSupportLevel and PropEndOfSupport properties of every component it
// covers (and the stated supplier where the component names none), nested components included, replacing values already there.
// The SBOM is validated first; it must be CycloneDX 1.3 or later (the
// first with component properties), and every key of ByRef must name one
// of its components. Everything else in the document is kept; it is
// re-encoded with two-space indentation.
func AddSupportJSON(raw []byte, t SupportTable) ([]byte, error) {
	s, err := Parse(raw, FormatJSON)
	if err != nil {
		return nil, err
	}
	if s.SpecVersion < cdx.SpecVersion1_3 {
		return nil, fmt.Errorf("%w: CycloneDX %s has no component properties (1.3 and later have): regenerate the SBOM as 1.4 or later to carry support information", ErrSpecVersion, s.SpecVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	used := map[string]bool{}
	if err := supportComponents(doc["components"], t, used, 0); err != nil {
		return nil, err
	}
	for ref := range t.ByRef {
		if !used[ref] {
			return nil, fmt.Errorf("support for %q: no component in the SBOM has that bom-ref or purl", ref)
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode SBOM: %w", err)
	}
	return append(out, '\n'), nil
}

// supportComponents applies t to a "components" array and the arrays
// nested in it.
func supportComponents(v any, t SupportTable, used map[string]bool, depth int) error {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok || depth > MaxNesting {
		return fmt.Errorf("%w: components is not a list of at most %d levels", ErrMalformed, MaxNesting)
	}
	for _, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			return fmt.Errorf("%w: a component is not an object", ErrMalformed)
		}
		if s, ok := lookupSupport(m, t, used); ok {
			setSupport(m, s)
		}
		if err := supportComponents(m["components"], t, used, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func lookupSupport(c map[string]any, t SupportTable, used map[string]bool) (Support, bool) {
	for _, key := range []string{"bom-ref", "purl"} {
		ref, _ := c[key].(string)
		if s, ok := t.ByRef[ref]; ok && ref != "" {
			used[ref] = true
			return s, true
		}
	}
	if t.Default != nil {
		return *t.Default, true
	}
	return Support{}, false
}

// setSupport replaces c's support properties with s.
func setSupport(c map[string]any, s Support) {
	old, _ := c["properties"].([]any)
	props := make([]any, 0, len(old)+2)
	for _, p := range old {
		if m, ok := p.(map[string]any); ok && (m["name"] == PropSupportLevel || m["name"] == PropEndOfSupport) {
			continue
		}
		props = append(props, p)
	}
	props = append(props, map[string]any{"name": PropSupportLevel, "value": string(s.Level)})
	if !s.EndOfSupport.IsZero() {
		props = append(props, map[string]any{"name": PropEndOfSupport, "value": s.EndOfSupport.UTC().Format(time.DateOnly)})
	}
	c["properties"] = props
	if sup, _ := c["supplier"].(map[string]any); s.Supplier != "" && (sup == nil || sup["name"] == nil || sup["name"] == "") {
		c["supplier"] = map[string]any{"name": s.Supplier}
	}
}
