package evidence

import (
	"fmt"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"signbox/sbom"
)

// sbomMeta is the release SBOM's metadata that the minimum elements ask
// for (NTIA, "The Minimum Elements For a Software Bill of Materials",
// 2021, which FDA's premarket guidance refers to): who wrote the SBOM
// data, when, with which tools, for whose product.
type sbomMeta struct {
	Timestamp, Manufacturer, Supplier string
	Authors, Tools                    []string
}

func metaOf(md *cdx.Metadata) sbomMeta {
	var m sbomMeta
	if md == nil {
		return m
	}
	m.Timestamp = md.Timestamp
	if md.Manufacturer != nil {
		m.Manufacturer = md.Manufacturer.Name
	}
	if md.Supplier != nil {
		m.Supplier = md.Supplier.Name
	}
	for _, a := range deref(md.Authors) {
		m.Authors = append(m.Authors, a.Name)
	}
	if md.Tools != nil {
		for _, t := range deref(md.Tools.Components) {
			m.Tools = append(m.Tools, t.Name)
		}
		for _, t := range deref(md.Tools.Tools) {
			m.Tools = append(m.Tools, t.Name)
		}
	}
	return m
}

// fdaSBOM lists what the FDA SBOM row fails on (problems) and what it
// reports without failing (warnings). Problems: metadata without a
// timestamp, manufacturer, supplier, author or tools; a component naming
// no supplier (an NTIA minimum element, which signbox never guesses: it
// comes from the SBOM, the request's support file or the policy's
// release.sbom.suppliers); a component without a valid support level, or
// without an end-of-support date at a known level. Warnings: components
// whose support level is unknown, which FDA accepts but a reviewer will
// ask about.
func fdaSBOM(r *release) (problems, warnings []string) {
	problems = r.Meta.problems()
	var noSupplier, unknown []string
	for _, c := range r.Components {
		if c.Support == string(sbom.SupportUnknown) {
			unknown = append(unknown, c.label())
		}
		if strings.TrimSpace(c.Supplier) == "" {
			noSupplier = append(noSupplier, c.label())
		}
	}
	if len(noSupplier) > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d components name no supplier (an NTIA minimum element): %s",
			len(noSupplier), len(r.Components), firstFew(noSupplier, 5)))
	}
	problems = append(problems, supportProblems(r)...)
	if len(unknown) > 0 {
		warnings = append(warnings, fmt.Sprintf("%d of %d components have support level unknown (no end-of-support date): %s",
			len(unknown), len(r.Components), firstFew(unknown, 3)))
	}
	return problems, warnings
}

// supportProblems: every component's support level, and its
// end-of-support date unless the level is unknown.
func supportProblems(r *release) []string {
	var bad []string
	for _, c := range r.Components {
		if why := supportProblem(c); why != "" {
			bad = append(bad, c.label()+": "+why)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d components lack FDA support fields: %s", len(bad), firstFew(bad, 5))}
}

func (m sbomMeta) problems() []string {
	var missing []string
	if _, err := time.Parse(time.RFC3339, m.Timestamp); err != nil {
		missing = append(missing, "timestamp")
	}
	for _, f := range []struct{ name, v string }{{"manufacturer", m.Manufacturer}, {"supplier", m.Supplier}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(m.Authors) == 0 {
		missing = append(missing, "authors")
	}
	if len(m.Tools) == 0 {
		missing = append(missing, "tools")
	}
	if len(missing) == 0 {
		return nil
	}
	return []string{"metadata lacks " + strings.Join(missing, ", ")}
}

// supportProblem: FDA asks for every component's support level and
// end-of-support date; a level of unknown has no date to give.
func supportProblem(c component) string {
	var why []string
	switch sbom.SupportLevel(c.Support) {
	case sbom.SupportUnknown:
		return ""
	case sbom.SupportActive, sbom.SupportLimited, sbom.SupportNone:
	default:
		why = append(why, fmt.Sprintf("support level %q", c.Support))
	}
	if _, err := time.Parse(time.DateOnly, c.EndOfSupport); err != nil {
		why = append(why, fmt.Sprintf("end-of-support %q", c.EndOfSupport))
	}
	return strings.Join(why, ", ")
}

func checkSBOM(c *checkCtx) (string, error) {
	if c.relErr != nil {
		return "", c.relErr
	}
	problems, warnings := fdaSBOM(c.rel)
	if len(problems) > 0 {
		return "", fmt.Errorf("%s: %s", SBOMName, strings.Join(problems, "; "))
	}
	c.warnings = warnings
	m := c.res.Manifest
	if c.rel.Firmware.Name != m.Product || c.rel.Firmware.Version != m.Version {
		return "", fmt.Errorf("%s describes %s %s, the bundle is %s %s", SBOMName, c.rel.Firmware.Name, c.rel.Firmware.Version, m.Product, m.Version)
	}
	if err := c.imagesBound(); err != nil {
		return "", err
	}
	past := 0
	for _, comp := range c.rel.Components {
		if comp.EndOfSupport != "" && comp.EndOfSupport < m.CeremonyDate {
			past++
		}
	}
	return fmt.Sprintf("%d components with supplier and support level (%d past end of support on %s); made by %s with %s; %d images bound",
		len(c.rel.Components), past, m.CeremonyDate, c.rel.Meta.Manufacturer, strings.Join(c.rel.Meta.Tools, ", "), len(m.Images)), nil
}

func (c *checkCtx) imagesBound() error {
	m := c.res.Manifest
	bound := map[string]bool{}
	for _, h := range c.rel.ImageHashes {
		bound[h] = true
	}
	for _, im := range m.Images {
		f, _ := m.File(im.Path)
		if !bound[f.SHA256] {
			return fmt.Errorf("%s does not list the SHA-256 of %s", SBOMName, im.Path)
		}
	}
	return nil
}
