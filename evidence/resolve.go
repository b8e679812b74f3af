package evidence

import (
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// resolver finds the component a VEX affects ref names. A BOM-Link
// (urn:cdx:<serial>/<version>#<bom-ref>, CycloneDX 1.6) must point into
// the bundle's release SBOM, at a bom-ref one of its components has; a
// plain ref must name a component copied into the VEX itself (what
// signbox writes for an SBOM without a serial number).
type resolver struct {
	rel    *release
	inline map[string]component
}

func newResolver(vex *cdx.BOM, rel *release) *resolver {
	r := &resolver{rel: rel, inline: map[string]component{}}
	walk(deref(vex.Components), func(c *cdx.Component) { r.inline[c.BOMRef] = toComponent(c) })
	return r
}

func (r *resolver) component(ref string) (component, error) {
	if !cdx.IsBOMLink(ref) {
		c, ok := r.inline[ref]
		if !ok {
			return c, fmt.Errorf("affects ref %q is neither a BOM-Link nor a component of the VEX", ref)
		}
		return c, nil
	}
	link, err := cdx.ParseBOMLink(ref)
	if err != nil {
		return component{}, fmt.Errorf("affects ref %q: %w", ref, err)
	}
	if r.rel == nil || link.SerialNumber() != r.rel.Serial || link.Version() != r.rel.BOMVersion {
		return component{}, fmt.Errorf("affects ref %q links to another SBOM than %s", ref, SBOMName)
	}
	c, ok := r.rel.ByRef[link.Reference()]
	if !ok {
		return c, fmt.Errorf("affects ref %q names bom-ref %q, which no component of %s has", ref, link.Reference(), SBOMName)
	}
	return c, nil
}
