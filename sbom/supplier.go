package sbom

import (
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Suppliers maps purl prefixes to the supplier the device manufacturer
// names for every component whose purl starts with one: the policy's
// release.sbom.suppliers. NTIA's minimum elements ("The Minimum Elements
// For a Software Bill of Materials", 2021) ask for each component's
// supplier; SBOM generators rarely know it, so the manufacturer states it
// once per ecosystem namespace. A supplier the component already names
// wins; signbox never guesses one, and a component matched by no prefix
// keeps no supplier (evidence check then fails the FDA SBOM row).
type Suppliers map[string]string

// lookup is the supplier of the longest prefix of purl, or "".
func (s Suppliers) lookup(purl string) string {
	if purl == "" || len(s) == 0 {
		return ""
	}
	best := ""
	for p := range s {
		if strings.HasPrefix(purl, p) && len(p) > len(best) {
			best = p
		}
	}
	return s[best]
}

// applySupplier names c's supplier from s when c names none.
func (s Suppliers) apply(c *cdx.Component) {
	if c.Supplier != nil && strings.TrimSpace(c.Supplier.Name) != "" {
		return
	}
	if name := s.lookup(c.PackageURL); name != "" {
		c.Supplier = &cdx.OrganizationalEntity{Name: name}
	}
}

// NoSupplier lists the paths of the components (nested ones included)
// that name no supplier, sorted.
func (s *SBOM) NoSupplier() []string {
	var out []string
	for path, c := range s.ByPath() {
		if c.Supplier == nil || strings.TrimSpace(c.Supplier.Name) == "" {
			out = append(out, path)
		}
	}
	sort.Strings(out)
	return out
}

// Unsupplied lists the paths of the components that would name no
// supplier in a release SBOM written with rules: those whose own entry
// names none and whose purl no rule's prefix starts.
func (s *SBOM) Unsupplied(rules Suppliers) []string {
	var out []string
	for path, c := range s.ByPath() {
		if (c.Supplier == nil || strings.TrimSpace(c.Supplier.Name) == "") && rules.lookup(c.PackageURL) == "" {
			out = append(out, path+" "+c.Name)
		}
	}
	sort.Strings(out)
	return out
}
