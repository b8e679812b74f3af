package vuln

import (
	"encoding/json"
	"fmt"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

func component(t *testing.T, purl string) sbom.Component {
	c, reason := sbom.Normalise(&cdx.Component{Type: "library", Name: "x", PackageURL: purl})
	require.Empty(t, reason)
	return c
}

// TestRangeRules covers every OSV evaluation rule with hand-made affected
// entries. "scanner" notes where osv-scanner 2.5 answers differently (see
// doc.go); the expected values here follow the OSV schema.
func TestRangeRules(t *testing.T) {
	const goPkg = `"package":{"ecosystem":"Go","name":"example.com/m"}`
	semver := func(events string) string {
		return fmt.Sprintf(`{%s,"ranges":[{"type":"SEMVER","events":[%s]}]}`, goPkg, events)
	}
	cases := []struct {
		name, affected, purl string
		want                 bool
		fixed                []string
	}{
		{"introduced..fixed inside", semver(`{"introduced":"1.0.0"},{"fixed":"1.5.0"}`), "pkg:golang/example.com/m@v1.4.0", true, []string{"1.5.0"}},
		{"at fixed", semver(`{"introduced":"1.0.0"},{"fixed":"1.5.0"}`), "pkg:golang/example.com/m@v1.5.0", false, nil},
		{"before introduced", semver(`{"introduced":"1.0.0"},{"fixed":"1.5.0"}`), "pkg:golang/example.com/m@v0.9.9", false, nil},
		{"at introduced", semver(`{"introduced":"1.0.0"},{"fixed":"1.5.0"}`), "pkg:golang/example.com/m@v1.0.0", true, []string{"1.5.0"}},
		{"introduced 0", semver(`{"introduced":"0"},{"fixed":"1.5.0"}`), "pkg:golang/example.com/m@v0.0.1", true, []string{"1.5.0"}},
		{"no fix yet", semver(`{"introduced":"0"}`), "pkg:golang/example.com/m@v9.0.0", true, nil},
		{"last_affected inclusive", semver(`{"introduced":"1.0.0"},{"last_affected":"1.5.0"}`), "pkg:golang/example.com/m@v1.5.0", true, nil},
		{"after last_affected", semver(`{"introduced":"1.0.0"},{"last_affected":"1.5.0"}`), "pkg:golang/example.com/m@v1.5.1", false, nil},
		// scanner: osv-scanner ignores limit and reports this.
		{"beyond limit", semver(`{"introduced":"0"},{"limit":"1.2.0"}`), "pkg:golang/example.com/m@v1.4.0", false, nil},
		{"below limit", semver(`{"introduced":"0"},{"limit":"1.2.0"}`), "pkg:golang/example.com/m@v1.1.0", true, nil},
		{"limit star", semver(`{"introduced":"0"},{"limit":"*"}`), "pkg:golang/example.com/m@v1.1.0", true, nil},
		{"prerelease in range", semver(`{"introduced":"1.21.0-0"},{"fixed":"1.21.3"}`), "pkg:golang/example.com/m@v1.21.0-rc.1", true, []string{"1.21.3"}},
		{"prerelease before fix", semver(`{"introduced":"0"},{"fixed":"2.0.0"}`), "pkg:golang/example.com/m@v2.0.0-beta.1", true, []string{"2.0.0"}},
		{"pseudo-version", semver(`{"introduced":"0"},{"fixed":"0.3.5"}`), "pkg:golang/example.com/m@v0.3.5-0.20201125200606-c27b9fd57aec", true, []string{"0.3.5"}},
		{"second interval", semver(`{"introduced":"1.0.0"},{"fixed":"1.1.0"},{"introduced":"2.0.0"},{"fixed":"2.2.0"}`), "pkg:golang/example.com/m@v2.1.0", true, []string{"2.2.0"}},
		{"between intervals", semver(`{"introduced":"1.0.0"},{"fixed":"1.1.0"},{"introduced":"2.0.0"},{"fixed":"2.2.0"}`), "pkg:golang/example.com/m@v1.5.0", false, nil},
		{"events out of order", semver(`{"fixed":"2.2.0"},{"introduced":"2.0.0"},{"fixed":"1.1.0"},{"introduced":"1.0.0"}`), "pkg:golang/example.com/m@v2.1.0", true, []string{"2.2.0"}},
		{"introduced equals fixed", semver(`{"introduced":"1.0.0"},{"fixed":"1.0.0"}`), "pkg:golang/example.com/m@v1.0.0", false, nil},
		// scanner: osv-scanner compares versions[] as raw strings, so v1.4.0 misses 1.4.0.
		{"versions list with leading v", fmt.Sprintf(`{%s,"versions":["1.4.0"]}`, goPkg), "pkg:golang/example.com/m@v1.4.0", true, nil},
		{"versions list miss", fmt.Sprintf(`{%s,"versions":["1.4.0"]}`, goPkg), "pkg:golang/example.com/m@v1.4.1", false, nil},
		// scanner: osv-scanner stops at the first GIT range and misses this.
		{"GIT before SEMVER", fmt.Sprintf(`{%s,"ranges":[{"type":"GIT","repo":"https://example.com/m","events":[{"introduced":"0"},{"fixed":"abc"}]},{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}`, goPkg),
			"pkg:golang/example.com/m@v1.4.0", true, []string{"2.0.0"}},
		{"GIT only", fmt.Sprintf(`{%s,"ranges":[{"type":"GIT","repo":"https://example.com/m","events":[{"introduced":"0"}]}]}`, goPkg), "pkg:golang/example.com/m@v1.4.0", false, nil},
		{"fixed and last_affected in different ranges", fmt.Sprintf(`{%s,"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.2.0"}]},{"type":"SEMVER","events":[{"introduced":"3.0.0"},{"last_affected":"3.1.0"}]}]}`, goPkg),
			"pkg:golang/example.com/m@v3.1.0", true, nil},
		// Ecosystem orderings come from osv-scalibr/semantic.
		{"PyPI rc before final", `{"package":{"ecosystem":"PyPI","name":"Django_REST.Framework"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0rc1"},{"fixed":"1.0"}]}]}`,
			"pkg:pypi/django-rest-framework@1.0rc2", true, []string{"1.0"}},
		{"PyPI post release after fix", `{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}`,
			"pkg:pypi/requests@2.0.post1", false, nil},
		{"Maven qualifier order", `{"package":{"ecosystem":"Maven","name":"org.example:lib"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}`,
			"pkg:maven/org.example/lib@2.0-beta1", true, []string{"2.0"}},
		{"Debian epoch", `{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:1.0"}]}]}`,
			"pkg:deb/debian/openssl@3.0.2?distro=bookworm", true, []string{"1:1.0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a Affected
			require.NoError(t, json.Unmarshal([]byte(tc.affected), &a))
			c := component(t, tc.purl)
			require.True(t, packageMatches(a.Package, c.Ecosystem, c.Name), "package should match")
			h, got := evaluate(&a, c)
			require.Equal(t, tc.want, got)
			require.Empty(t, h.unevaluated)
			require.Equal(t, tc.fixed, h.fixed)
		})
	}
}

func TestPackageMatching(t *testing.T) {
	cases := []struct {
		pkg       Package
		eco, name string
		want      bool
	}{
		{Package{Ecosystem: "Debian", Name: "openssl"}, "Debian:12", "openssl", true},
		{Package{Ecosystem: "Debian:12", Name: "openssl"}, "Debian", "openssl", true},
		{Package{Ecosystem: "Debian:11", Name: "openssl"}, "Debian:12", "openssl", false},
		{Package{Ecosystem: "PyPI", Name: "Django_REST.Framework"}, "PyPI", "django-rest-framework", true},
		{Package{Ecosystem: "Go", Name: "Example.com/M"}, "Go", "example.com/m", false},
		{Package{Ecosystem: "npm", Name: "lodash"}, "Go", "lodash", false},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, packageMatches(tc.pkg, tc.eco, tc.name), "%+v vs %s %s", tc.pkg, tc.eco, tc.name)
	}
}

// An ordering signbox cannot evaluate is reported, not dropped.
func TestUnevaluatedIsReported(t *testing.T) {
	var a Affected
	require.NoError(t, json.Unmarshal([]byte(`{"package":{"ecosystem":"Debian","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}`), &a))
	c := component(t, "pkg:deb/debian/x@a:b")
	h, got := evaluate(&a, c)
	require.True(t, got)
	require.Contains(t, h.unevaluated, "component version")
}
