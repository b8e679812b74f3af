package evidence

import (
	"fmt"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"signbox/sbom"
)

// component is one SBOM component with FDA's support fields.
type component struct {
	Ref, Name, Version, PURL string
	Support, EndOfSupport    string // "" when absent
	Supplier                 string // "" when absent
}

func (c component) label() string {
	if c.Version == "" {
		return c.Name
	}
	return c.Name + " " + c.Version
}

// finding is one VEX vulnerability entry: one vulnerability on one
// component, with its triage.
type finding struct {
	ID            string
	Aliases       []string
	Description   string
	Component     component
	State         string
	Justification string
	Responses     []string
	Detail        string
	Severity      string
	Method        string
	Vector        string
	Score         float64
	Advisories    []string
}

// vulnerability groups the VEX entries of one ID: CSAF allows a CVE only
// once per document (CSAF 2.0 §6.1.23), while a VEX lists it per component.
type vulnerability struct {
	ID      string
	Aliases []string
	Entries []finding
}

// release is what the SBOM and VEX say about the release.
type release struct {
	Firmware    component
	ImageHashes map[string]string // image file name (app.bin) → SHA-256 hex
	Components  []component       // every component, nested ones included
	Vulns       []vulnerability   // sorted by ID
	// Serial and BOMVersion identify the SBOM for BOM-Links; ByRef holds
	// its components by bom-ref.
	Serial     string
	BOMVersion int
	ByRef      map[string]component
	Meta       sbomMeta
}

func parseRelease(sbomBytes, vexBytes []byte) (*release, error) {
	r, err := parseSBOM(sbomBytes)
	if err != nil {
		return nil, err
	}
	if r.Vulns, err = parseVEX(vexBytes, r); err != nil {
		return nil, err
	}
	return r, nil
}

func parseSBOM(b []byte) (*release, error) {
	s, err := sbom.Parse(b, sbom.FormatJSON)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SBOMName, err)
	}
	r := &release{ImageHashes: map[string]string{}}
	r.Meta = metaOf(s.BOM.Metadata)
	if md := s.BOM.Metadata; md != nil && md.Component != nil {
		r.Firmware = toComponent(md.Component)
		for _, f := range deref(md.Component.Components) {
			for _, h := range deref(f.Hashes) {
				if h.Algorithm == cdx.HashAlgoSHA256 {
					r.ImageHashes[f.Name] = strings.ToLower(h.Value)
				}
			}
		}
	}
	r.Serial, r.BOMVersion, r.ByRef = s.BOM.SerialNumber, max(s.BOM.Version, 1), map[string]component{}
	walk(deref(s.BOM.Components), func(c *cdx.Component) {
		r.Components = append(r.Components, toComponent(c))
		if c.BOMRef != "" {
			r.ByRef[c.BOMRef] = toComponent(c)
		}
	})
	return r, nil
}

// CheckRequestSupport makes the hospital documents' support check on a
// release request's CycloneDX JSON SBOM: a request with a clinical block
// gets hospital documents, which need every component's FDA support
// level and (unless unknown) end-of-support date, so `signbox request create` checks them
// before it writes the request, with the message the ceremony gives.
func CheckRequestSupport(sbomJSON []byte) error {
	r, err := parseSBOM(sbomJSON)
	if err != nil {
		return err
	}
	if p := supportProblems(r); len(p) > 0 {
		return fmt.Errorf("%s: %s", SBOMName, strings.Join(p, "; "))
	}
	return nil
}

// parseVEX returns the VEX's findings grouped by vulnerability, each
// resolved to its component in the release SBOM rel.
func parseVEX(b []byte, rel *release) ([]vulnerability, error) {
	v, err := sbom.Parse(b, sbom.FormatJSON)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", VEXName, err)
	}
	vs, err := vulnerabilities(v.BOM, rel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", VEXName, err)
	}
	return vs, nil
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

func walk(cs []cdx.Component, fn func(*cdx.Component)) {
	for i := range cs {
		fn(&cs[i])
		walk(deref(cs[i].Components), fn)
	}
}

func toComponent(c *cdx.Component) component {
	out := component{Ref: c.BOMRef, Name: c.Name, Version: c.Version, PURL: c.PackageURL}
	if c.Group != "" {
		out.Name = c.Group + "/" + c.Name
	}
	if c.Supplier != nil {
		out.Supplier = c.Supplier.Name
	}
	for _, p := range deref(c.Properties) {
		switch p.Name {
		case sbom.PropSupportLevel:
			out.Support = p.Value
		case sbom.PropEndOfSupport:
			out.EndOfSupport = p.Value
		}
	}
	return out
}

// vulnerabilities reads the VEX entries, resolving each affects ref (see
// resolver) and groups them by ID.
func vulnerabilities(bom *cdx.BOM, rel *release) ([]vulnerability, error) {
	res := newResolver(bom, rel)
	byID := map[string]*vulnerability{}
	for i, v := range deref(bom.Vulnerabilities) {
		f, err := toFinding(v, res)
		if err != nil {
			return nil, fmt.Errorf("vulnerabilities[%d] %s: %w", i, v.ID, err)
		}
		g := byID[f.ID]
		if g == nil {
			g = &vulnerability{ID: f.ID}
			byID[f.ID] = g
		}
		g.Entries = append(g.Entries, f)
		for _, a := range f.Aliases {
			if !slices.Contains(g.Aliases, a) {
				g.Aliases = append(g.Aliases, a)
			}
		}
	}
	out := make([]vulnerability, 0, len(byID))
	for _, g := range byID {
		slices.Sort(g.Aliases)
		slices.SortFunc(g.Entries, func(a, b finding) int { return strings.Compare(a.Component.label(), b.Component.label()) })
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b vulnerability) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func toFinding(v cdx.Vulnerability, res *resolver) (finding, error) {
	if v.ID == "" {
		return finding{}, fmt.Errorf("no id")
	}
	f := finding{ID: v.ID, Description: v.Description}
	for _, r := range deref(v.References) {
		if r.ID != "" && r.ID != v.ID {
			f.Aliases = append(f.Aliases, r.ID)
		}
	}
	for _, a := range deref(v.Advisories) {
		f.Advisories = append(f.Advisories, a.URL)
	}
	if v.Analysis == nil || v.Analysis.State == "" {
		return f, fmt.Errorf("no analysis state: every finding needs a triage decision")
	}
	f.State = string(v.Analysis.State)
	f.Justification = string(v.Analysis.Justification)
	f.Detail = v.Analysis.Detail
	for _, r := range deref(v.Analysis.Response) {
		f.Responses = append(f.Responses, string(r))
	}
	affects := deref(v.Affects)
	if len(affects) != 1 {
		return f, fmt.Errorf("%d affects entries, want 1 (signbox writes one finding per component)", len(affects))
	}
	c, err := res.component(affects[0].Ref)
	if err != nil {
		return f, err
	}
	f.Component = c
	if rs := deref(v.Ratings); len(rs) > 0 {
		f.Severity = string(rs[0].Severity)
		f.Method = string(rs[0].Method)
		f.Vector = rs[0].Vector
		if rs[0].Score != nil {
			f.Score = *rs[0].Score
		}
	}
	return f, nil
}
