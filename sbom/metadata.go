package sbom

import (
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// ToolName names signbox among the release SBOM's metadata.tools.
const ToolName = "signbox"

// Organization is a named organisation with an optional URL it controls.
type Organization struct {
	Name string
	URL  string
}

func (o Organization) entity() *cdx.OrganizationalEntity {
	if o.Name == "" {
		return nil
	}
	e := &cdx.OrganizationalEntity{Name: o.Name}
	if o.URL != "" {
		e.URL = &[]string{o.URL}
	}
	return e
}

// metadata is the release SBOM's metadata: the NTIA minimum elements
// ("The Minimum Elements For a Software Bill of Materials", NTIA, July
// 2021: author of the SBOM data, timestamp) that the FDA premarket
// guidance asks SBOMs to carry. The device manufacturer makes, supplies
// and authors the release SBOM; the tools are the source SBOM's, plus
// signbox.
func (r Release) metadata() *cdx.Metadata {
	md := &cdx.Metadata{
		Timestamp: r.Timestamp.UTC().Format(time.RFC3339),
		Tools:     r.tools(),
		Component: r.firmware(),
	}
	if m := r.Manufacturer.entity(); m != nil {
		md.Manufacturer, md.Supplier = m, m
		md.Authors = &[]cdx.OrganizationalContact{{Name: r.Manufacturer.Name}}
	}
	return md
}

// tools keeps the source SBOM's tools and adds signbox. CycloneDX 1.5
// deprecated the tools array for an object of components and services,
// and a document holds one form only, so legacy tools become components
// (the vendor as the component's manufacturer).
func (r Release) tools() *cdx.ToolsChoice {
	var comps []cdx.Component
	var services *[]cdx.Service
	if md := r.sourceMetadata(); md != nil && md.Tools != nil {
		for _, t := range deref(md.Tools.Tools) {
			comps = append(comps, legacyTool(t))
		}
		comps = append(comps, deref(md.Tools.Components)...)
		services = md.Tools.Services
	}
	comps = append(comps, cdx.Component{Type: cdx.ComponentTypeApplication, Name: ToolName, Version: r.ToolVersion})
	return &cdx.ToolsChoice{Components: &comps, Services: services}
}

//lint:ignore SA1019 reading the legacy tools array of a 1.2-1.4 input SBOM is the point
func legacyTool(t cdx.Tool) cdx.Component {
	c := cdx.Component{Type: cdx.ComponentTypeApplication, Name: t.Name, Version: t.Version,
		Hashes: t.Hashes, ExternalReferences: t.ExternalReferences}
	if t.Vendor != "" {
		c.Manufacturer = &cdx.OrganizationalEntity{Name: t.Vendor}
	}
	return c
}

func (r Release) sourceMetadata() *cdx.Metadata {
	if r.Source == nil {
		return nil
	}
	return r.Source.BOM.Metadata
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}
