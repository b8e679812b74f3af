package sbom

import (
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// ByPath indexes every component, nested ones included, by the path
// [Component.Path] and [Unscannable.Path] use ("components[3]",
// "components[1].components[0]"). metadata.component is not included.
// The release SBOM keeps its source's component paths, so a finding made
// on the source finds its component in the release SBOM by path.
func (s *SBOM) ByPath() map[string]*cdx.Component {
	out := map[string]*cdx.Component{}
	if s.BOM.Components != nil {
		indexPaths(*s.BOM.Components, "components", out)
	}
	return out
}

func indexPaths(cs []cdx.Component, prefix string, out map[string]*cdx.Component) {
	for i := range cs {
		path := fmt.Sprintf("%s[%d]", prefix, i)
		out[path] = &cs[i]
		if cs[i].Components != nil {
			indexPaths(*cs[i].Components, path+".components", out)
		}
	}
}

// assignRefs gives every component without a bom-ref one, so that a VEX
// (or any other document) can link to each component of the release
// SBOM: its purl when no other component uses it as a bom-ref, else
// "signbox:" and its path. Refs the source gave are kept.
func assignRefs(cs []cdx.Component) {
	used := map[string]bool{}
	all := map[string]*cdx.Component{}
	indexPaths(cs, "components", all)
	for _, c := range all {
		used[c.BOMRef] = c.BOMRef != ""
	}
	var walk func(cs []cdx.Component, prefix string)
	walk = func(cs []cdx.Component, prefix string) {
		for i := range cs {
			c := &cs[i]
			path := fmt.Sprintf("%s[%d]", prefix, i)
			if c.BOMRef == "" {
				c.BOMRef = "signbox:" + path
				if c.PackageURL != "" && !used[c.PackageURL] {
					c.BOMRef = c.PackageURL
				}
				used[c.BOMRef] = true
			}
			if c.Components != nil {
				walk(*c.Components, path+".components")
			}
		}
	}
	walk(cs, "components")
}
