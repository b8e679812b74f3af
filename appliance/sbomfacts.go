package appliance

import (
	"signbox/internal/buildinfo"
	"signbox/policy"
	"signbox/sbom"
)

// releaseSBOMFacts fills what the release SBOM takes from the policy
// besides the request's SBOM (whose components already carry the
// request's support statements and suppliers, written by `signbox request
// create`): the manufacturer, who makes, supplies and authors the release
// SBOM; the suppliers the policy names by purl prefix; signbox's version
// among the tools.
func releaseSBOMFacts(r *sbom.Release, p *policy.Policy) {
	if m := p.Manufacturer; m != nil {
		r.Manufacturer = sbom.Organization{Name: m.Name, URL: m.Namespace}
	}
	r.Suppliers = p.Release.SBOM.SupplierMap()
	r.ToolVersion = buildinfo.Version()
}
