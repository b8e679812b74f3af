package vuln

import (
	"errors"
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"signbox/sbom"
)

// linker turns a finding's component into the affects ref of its VEX
// entry: the bom-ref the component has in the SBOM the VEX describes.
// CycloneDX 1.6 (vulnerabilities[].affects[].ref: "a bom-ref or a
// BOM-Link") lets a separate VEX document point into that SBOM with a
// BOM-Link, urn:cdx:<serial>/<version>#<bom-ref>, which needs the SBOM's
// serial number. Without one, the VEX carries a copy of each affected
// component under the SBOM's own bom-ref, so the ref resolves inside the
// VEX and still names the SBOM component.
type linker struct {
	serial  string // "" when the SBOM cannot be linked to
	version int
	byPath  map[string]*cdx.Component
	copies  []*cdx.Component // the SBOM's components, written as copies
	copied  map[string]bool
}

func newLinker(s *sbom.SBOM) (*linker, error) {
	if s == nil {
		return nil, errors.New("VEX: the SBOM the findings are about is required, to link each finding to its component")
	}
	l := &linker{byPath: s.ByPath(), copied: map[string]bool{}, version: s.BOM.Version}
	if l.version == 0 {
		l.version = 1 // CycloneDX: "version" defaults to 1
	}
	if _, err := cdx.NewBOMLink(s.BOM.SerialNumber, l.version, nil); err == nil {
		l.serial = s.BOM.SerialNumber
	}
	return l, nil
}

// ref returns the affects ref for c, found in the SBOM by its path and
// checked to be the same component.
func (l *linker) ref(c sbom.Component) (string, error) {
	tc, ok := l.byPath[c.Path]
	if !ok || tc.PackageURL != c.PURL {
		return "", fmt.Errorf("VEX: %s (%s) is not at %s in the SBOM the VEX describes", c.Key(), c.PURL, c.Path)
	}
	if tc.BOMRef == "" {
		return "", fmt.Errorf("VEX: %s (%s) has no bom-ref in the SBOM, so no VEX statement can name it", c.Path, c.Key())
	}
	if l.serial != "" {
		link, err := cdx.NewBOMLink(l.serial, l.version, tc)
		if err != nil {
			return "", fmt.Errorf("VEX: link to %s: %w", tc.BOMRef, err)
		}
		return link.String(), nil
	}
	if !l.copied[tc.BOMRef] {
		l.copied[tc.BOMRef] = true
		l.copies = append(l.copies, tc)
	}
	return tc.BOMRef, nil
}
