package sbom

import (
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Component is one SBOM component normalised for vulnerability matching.
type Component struct {
	Ref       string // bom-ref, possibly empty
	Path      string // where it sits in the document, e.g. components[3]
	Ecosystem string // OSV ecosystem, e.g. "Go", "crates.io", "Debian:12"
	Name      string // OSV package name, e.g. a Go module path or Maven group:artifact
	Version   string // normalised for the ecosystem (Go: no leading "v")
	Written   string // the version as the SBOM wrote it
	PURL      string
}

// Key identifies the component independently of bom-refs, which SBOM
// generators are free to renumber between builds.
func (c Component) Key() string {
	return c.Ecosystem + "/" + c.Name + "@" + c.Version
}

// Unscannable is a component no vulnerability feed can be matched against.
type Unscannable struct {
	Ref, Path, Name, Version, PURL string
	Reason                         string
}

func (u Unscannable) String() string {
	id := u.PURL
	if id == "" {
		id = u.Name
		if u.Version != "" {
			id += "@" + u.Version
		}
	}
	return fmt.Sprintf("%s (%s): %s", u.Path, id, u.Reason)
}

func normaliseAll(bom *cdx.BOM) ([]Component, []Unscannable) {
	var n normaliser
	if bom.Components != nil {
		n.walk(*bom.Components, "components")
	}
	return n.ok, n.bad
}

type normaliser struct {
	ok  []Component
	bad []Unscannable
}

func (n *normaliser) walk(cs []cdx.Component, prefix string) {
	for i := range cs {
		path := fmt.Sprintf("%s[%d]", prefix, i)
		n.one(&cs[i], path)
		if cs[i].Components != nil {
			n.walk(*cs[i].Components, path+".components")
		}
	}
}

func (n *normaliser) one(c *cdx.Component, path string) {
	comp, reason := Normalise(c)
	comp.Path = path
	if reason != "" {
		n.bad = append(n.bad, Unscannable{Ref: c.BOMRef, Path: path, Name: c.Name,
			Version: c.Version, PURL: c.PackageURL, Reason: reason})
		return
	}
	n.ok = append(n.ok, comp)
}

// Normalise derives ecosystem, name and version from a CycloneDX
// component. A non-empty reason says why it cannot be scanned.
func Normalise(c *cdx.Component) (Component, string) {
	comp := Component{Ref: c.BOMRef, PURL: c.PackageURL}
	if c.PackageURL == "" {
		if c.CPE != "" {
			return comp, "only a CPE identifies it; signbox matches OSV feeds by purl"
		}
		return comp, "no purl, so its ecosystem is unknown"
	}
	p, err := ParsePURL(c.PackageURL)
	if err != nil {
		return comp, err.Error()
	}
	comp.Ecosystem = ecosystemOf(p)
	if comp.Ecosystem == "" {
		return comp, fmt.Sprintf("purl type %q has no OSV ecosystem", p.Type)
	}
	comp.Name = packageName(comp.Ecosystem, p)
	comp.Written = c.Version
	if comp.Written == "" {
		comp.Written = p.Version
	}
	if c.Version != "" && p.Version != "" && NormaliseVersion(comp.Ecosystem, c.Version) != NormaliseVersion(comp.Ecosystem, p.Version) {
		// Scanning either one could check the wrong version.
		return comp, fmt.Sprintf("version %q and purl version %q disagree", c.Version, p.Version)
	}
	if comp.Written == "" {
		return comp, "no version in the component or its purl"
	}
	comp.Version = NormaliseVersion(comp.Ecosystem, comp.Written)
	if comp.Ecosystem == "Go" && (comp.Name == GoStdlib || comp.Name == GoToolchain) {
		comp.Version = goVersion(comp.Written)
	}
	return comp, ""
}
