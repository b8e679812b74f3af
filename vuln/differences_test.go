package vuln

import (
	"encoding/json"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

// TestDifferencesFromOSVScanner pins each place where signbox deliberately
// answers differently from osv-scanner 2.5 offline (see doc.go). The
// osv-scanner column is from running it on the same crafted records
// (shared/design/vuln.md, section 1).
func TestDifferencesFromOSVScanner(t *testing.T) {
	cases := []struct {
		name        string
		affected    string
		comp        cdx.Component
		osvScanner  bool
		signbox     bool
		unevaluated bool
	}{
		{"GIT range listed first",
			`{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"GIT","repo":"https://example.com/m","events":[{"introduced":"0"}]},{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}`,
			cdx.Component{Name: "example.com/m", PackageURL: "pkg:golang/example.com/m@v1.4.0"}, false, true, false},
		{"limit event",
			`{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"1.2.0"}]}]}`,
			cdx.Component{Name: "example.com/m", PackageURL: "pkg:golang/example.com/m@v1.4.0"}, true, false, false},
		{"versions[] and a leading v",
			`{"package":{"ecosystem":"Go","name":"example.com/m"},"versions":["1.4.0"]}`,
			cdx.Component{Name: "example.com/m", PackageURL: "pkg:golang/example.com/m@v1.4.0"}, false, true, false},
		{"Maven group split from name",
			`{"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0-beta9"},{"fixed":"2.15.0"}]}]}`,
			cdx.Component{Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1",
				PackageURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}, false, true, false},
		{"purl without @version, version field set",
			`{"package":{"ecosystem":"crates.io","name":"smallvec"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.6.3"}]}]}`,
			cdx.Component{Name: "smallvec", Version: "0.6.2", PackageURL: "pkg:cargo/smallvec"}, false, true, false},
		{"unorderable version is reported",
			`{"package":{"ecosystem":"Debian","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}`,
			cdx.Component{Name: "x", PackageURL: "pkg:deb/debian/x@a:b"}, true, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a Affected
			require.NoError(t, json.Unmarshal([]byte(tc.affected), &a))
			tc.comp.Type = "library"
			c, reason := sbom.Normalise(&tc.comp)
			require.Empty(t, reason)
			got := false
			var h hit
			if packageMatches(a.Package, c.Ecosystem, c.Name) {
				h, got = evaluate(&a, c)
			}
			require.Equal(t, tc.signbox, got, "signbox")
			require.Equal(t, tc.unevaluated, h.unevaluated != "")
			if tc.osvScanner == tc.signbox && !tc.unevaluated {
				t.Fatalf("not a difference")
			}
		})
	}
}
