package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"signbox/sbom"
)

// demoSupplierRules are the demo policy's release.sbom.suppliers: the
// namespaces whose supplier the demo manufacturer states once for all
// their modules. Every other component's supplier is stated per component
// in the request (withSupport).
var demoSupplierRules = [][2]string{
	{"pkg:golang/golang.org/x/", "The Go Authors"},
	{"pkg:golang/go.etcd.io/", "etcd-io"},
	{"pkg:golang/github.com/ProtonMail/", "Proton AG"},
}

// supportedUntil is the end of support the demo manufacturer has agreed
// with Proton AG for the bridge libraries it ships in 1.1.0; it knows no
// other maintainer's plans.
var supportedUntil = time.Date(2031, 12, 31, 0, 0, 0, 0, time.UTC)

// withSupport is the release manager's enrichment of the real SBOM before
// it goes into the 1.1.0 request, as `signbox request create --clinical`
// writes a clinical file's support block (sbom.AddSupportJSON): one
// statement per component. Proton's own modules are actively supported
// until supportedUntil; every other level is unknown, with no date, which
// is what FDA asks to be told when the maker does not say. A module on
// github.com or gopkg.in gets its owner as supplier, which is how the
// demo manufacturer records who it takes the code from; the namespaces in
// demoSupplierRules are left to the policy. CycloneDX has component
// properties only from 1.3, so the document is first relabelled 1.4, and
// nothing else changes.
func withSupport(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	doc["specVersion"] = "1.4"
	relabelled, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	comps, ok := doc["components"].([]any)
	if !ok {
		return nil, fmt.Errorf("SBOM has no components list")
	}
	tab := sbom.SupportTable{ByRef: map[string]sbom.Support{}}
	for _, c := range comps {
		m, _ := c.(map[string]any)
		purl, _ := m["purl"].(string)
		if purl == "" {
			return nil, fmt.Errorf("SBOM component %v has no purl", m["name"])
		}
		s := sbom.Support{Level: sbom.SupportUnknown, Supplier: moduleOwner(purl)}
		if strings.HasPrefix(purl, "pkg:golang/github.com/ProtonMail/") {
			s.Level, s.EndOfSupport = sbom.SupportActive, supportedUntil
		}
		tab.ByRef[purl] = s
	}
	return sbom.AddSupportJSON(relabelled, tab)
}

// moduleOwner is the owner a Go module path names on github.com or
// gopkg.in (gopkg.in/yaml.v2 is go-yaml's, gopkg.in/user/pkg.v1 user's),
// or "" for a namespace demoSupplierRules covers.
func moduleOwner(purl string) string {
	for _, r := range demoSupplierRules {
		if strings.HasPrefix(purl, r[0]) {
			return ""
		}
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(purl, "pkg:golang/"), "@")
	parts := strings.Split(path, "/")
	switch {
	case parts[0] == "github.com" && len(parts) > 2:
		return parts[1]
	case parts[0] == "gopkg.in" && len(parts) > 2:
		return parts[1]
	case parts[0] == "gopkg.in" && len(parts) == 2:
		return "go-" + strings.SplitN(parts[1], ".", 2)[0]
	}
	return ""
}
