package sbom

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/require"
)

func readGz(t testing.TB, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	data, err := io.ReadAll(zr)
	require.NoError(t, err)
	return data
}

func TestRealProtonBridge(t *testing.T) {
	s, err := Parse(readGz(t, "proton-bridge-v1.8.0.cdx.json.gz"), FormatAuto)
	require.NoError(t, err)
	require.Equal(t, cdx.SpecVersion1_2, s.SpecVersion)
	require.Len(t, s.Components, 201)
	require.Empty(t, s.Unscannable)
	c := s.Components[0]
	require.Equal(t, "Go", c.Ecosystem)
	require.Equal(t, "github.com/0xAX/notificator", c.Name)
	require.Equal(t, "0.0.0-20191016112426-3962a5ea8da1", c.Version)
	require.Equal(t, "v0.0.0-20191016112426-3962a5ea8da1", c.Written)
}

func TestRealKeycloakMavenNames(t *testing.T) {
	s, err := Parse(readGz(t, "keycloak-10.0.2.cdx.json.gz"), FormatJSON)
	require.NoError(t, err)
	require.Len(t, s.Components, 903)
	require.Equal(t, "Maven", s.Components[0].Ecosystem)
	require.Equal(t, "org.bouncycastle:bcprov-jdk15on", s.Components[0].Name)
	require.Equal(t, "1.62", s.Components[0].Version)
}

func TestMinimalNormalisation(t *testing.T) {
	data, err := os.ReadFile("testdata/seed/minimal-1.6.json")
	require.NoError(t, err)
	s, err := Parse(data, FormatAuto)
	require.NoError(t, err)
	got := map[string]string{}
	for _, c := range s.Components {
		got[c.Ref] = c.Key()
	}
	require.Equal(t, map[string]string{
		"a": "Go/github.com/foo/bar@1.4.0",
		"b": "Maven/org.apache.logging.log4j:log4j-core@2.14.1",
		"c": "PyPI/django-rest-framework@3.0",
		"g": "npm/@babel/core@7.0.0",
		"h": "Debian:12/openssl@3.0.2-0ubuntu1",
	}, got)
	reasons := map[string]string{}
	for _, u := range s.Unscannable {
		reasons[u.Ref] = u.Reason
	}
	require.Equal(t, map[string]string{
		"d": "no purl, so its ecosystem is unknown",
		"e": "no version in the component or its purl",
		"f": `purl type "generic" has no OSV ecosystem`,
		"i": `version "v1.0.0" and purl version "v1.0.1" disagree`,
	}, reasons)
}

func TestXML(t *testing.T) {
	data, err := os.ReadFile("testdata/seed/minimal-1.4.xml")
	require.NoError(t, err)
	s, err := Parse(data, FormatAuto)
	require.NoError(t, err)
	require.Equal(t, FormatXML, s.Format)
	require.Equal(t, cdx.SpecVersion1_4, s.SpecVersion)
	require.Equal(t, "Go/github.com/foo/bar@1.4.0", s.Components[0].Key())
}

// TestEveryVersionBothFormats re-encodes the real proton-bridge SBOM with
// cyclonedx-go in every supported version and format and reads it back.
func TestEveryVersionBothFormats(t *testing.T) {
	s, err := Parse(readGz(t, "proton-bridge-v1.8.0.cdx.json.gz"), FormatJSON)
	require.NoError(t, err)
	for v := cdx.SpecVersion1_2; v <= cdx.SpecVersion1_7; v++ {
		for _, f := range []cdx.BOMFileFormat{cdx.BOMFileFormatJSON, cdx.BOMFileFormatXML} {
			var b strings.Builder
			require.NoError(t, cdx.NewBOMEncoder(&b, f).EncodeVersion(s.BOM, v))
			got, err := Parse([]byte(b.String()), FormatAuto)
			require.NoError(t, err, "%s %d", v, f)
			require.Equal(t, v, got.SpecVersion)
			require.Len(t, got.Components, 201)
		}
	}
}

func TestRejects(t *testing.T) {
	const head = `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,`
	cases := []struct{ name, doc, want string }{
		{"not json", `{"bomFormat":`, "malformed SBOM: decode JSON"},
		{"trailing", head + `"components":[]} {}`, "trailing data"},
		{"wrong format", `{"bomFormat":"SPDX","specVersion":"1.5"}`, `bomFormat is "SPDX"`},
		{"unknown spec", `{"bomFormat":"CycloneDX","specVersion":"2.0","version":1}`, `unsupported CycloneDX spec version: specVersion "2.0"`},
		{"bad 1.7 crypto curve", `{"bomFormat":"CycloneDX","specVersion":"1.7","version":1,"components":[{"type":"cryptographic-asset","name":"k","cryptoProperties":{"assetType":"algorithm","algorithmProperties":{"ellipticCurve":"no-such-curve"}}}]}`,
			"CycloneDX 1.7 schema: /components/0/cryptoProperties/algorithmProperties/ellipticCurve"},
		{"no spec", `{"bomFormat":"CycloneDX","version":1}`, "specVersion is missing"},
		{"bad type", head + `"components":[{"type":"gadget","name":"x"}]}`, `/components/0/type: "gadget" value must be one of`},
		{"bad scope", head + `"components":[{"type":"library","name":"x","scope":"maybe"}]}`, `/components/0/scope: "maybe" value must be one of 'required', 'optional', 'excluded'`},
		{"bad hash", head + `"components":[{"type":"library","name":"x","hashes":[{"alg":"SHA-257","content":"zz"}]}]}`, `/components/0/hashes/0/alg: "SHA-257" value must be one of`},
		{"no name", head + `"components":[{"type":"library"}]}`, "/components/0: missing property 'name'"},
		{"dup ref", head + `"components":[{"type":"library","name":"x","bom-ref":"r"},{"type":"library","name":"y","bom-ref":"r"}]}`,
			`components[1]: bom-ref "r" is already used by components[0]`},
		{"dangling dep", head + `"components":[{"type":"library","name":"x","bom-ref":"r"}],"dependencies":[{"ref":"r","dependsOn":["nope"]}]}`,
			`dependencies[0].dependsOn[0]: reference "nope" names no bom-ref`},
		{"bad state", head + `"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"bogus_state"}}]}`, `/vulnerabilities/0/analysis/state: "bogus_state" value must be one of`},
		{"bad justification", head + `"vulnerabilities":[{"id":"CVE-1","analysis":{"justification":"trust me"}}]}`, `/vulnerabilities/0/analysis/justification: "trust me" value must be one of`},
		{"bad response", head + `"vulnerabilities":[{"id":"CVE-1","analysis":{"response":["pray"]}}]}`, `/vulnerabilities/0/analysis/response/0: "pray" value must be one of`},
		{"dangling affects", head + `"vulnerabilities":[{"id":"CVE-1","affects":[{"ref":"ghost"}]}]}`, `affects[0].ref: reference "ghost"`},
		{"bad severity", head + `"vulnerabilities":[{"id":"CVE-1","ratings":[{"severity":"apocalyptic"}]}]}`, `/vulnerabilities/0/ratings/0/severity: "apocalyptic" value must be one of`},
		{"xml namespace", `<bom xmlns="http://example.com/bom" version="1"></bom>`, `XML namespace "http://example.com/bom"`},
		{"xml 1.1", `<bom xmlns="http://cyclonedx.org/schema/bom/1.1" version="1"></bom>`, "1.1 (signbox reads 1.2 to 1.7)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), FormatAuto)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestBOMLinkNotChecked(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"vulnerabilities":[{"id":"CVE-1",
	"affects":[{"ref":"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:npm/x@1"}]}]}`
	_, err := Parse([]byte(doc), FormatJSON)
	require.NoError(t, err)
}

func TestTooLarge(t *testing.T) {
	_, err := Read(strings.NewReader(strings.Repeat(" ", MaxSBOMBytes+1)), FormatJSON)
	require.ErrorIs(t, err, ErrMalformed)
}

func TestGoModulePaths(t *testing.T) {
	for purl, want := range map[string]string{
		"pkg:golang/github.com/foo/bar@v2.1.0#v2":    "Go/github.com/foo/bar/v2@2.1.0",
		"pkg:golang/github.com/foo/bar/v2@v2.1.0":    "Go/github.com/foo/bar/v2@2.1.0",
		"pkg:golang/github.com/foo/bar/v2@v2.1.0#v2": "Go/github.com/foo/bar/v2@2.1.0",
		"pkg:golang/go@1.22.1":                       "Go/stdlib@1.22.1",
		"pkg:golang/golang.org/x/text@0.3.5":         "Go/golang.org/x/text@0.3.5",
	} {
		c, reason := Normalise(&cdx.Component{Type: "library", Name: "x", PackageURL: purl})
		require.Empty(t, reason, purl)
		require.Equal(t, want, c.Key(), purl)
	}
}

// TestReadsCycloneDX17: a 1.7 document (cyclonedx-go v0.12 decodes it) is
// checked against the embedded 1.7 schema, which pulls the algorithm and
// curve enums from cryptography-defs.schema.json.
func TestReadsCycloneDX17(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.7","version":1,"components":[
	 {"type":"library","bom-ref":"a","name":"example.com/a","version":"v1.0.0","purl":"pkg:golang/example.com/a@v1.0.0"},
	 {"type":"cryptographic-asset","bom-ref":"k","name":"ecdsa","cryptoProperties":{"assetType":"algorithm","algorithmProperties":{"ellipticCurve":"secg/secp256r1"}}}]}`
	s, err := Parse([]byte(doc), FormatJSON)
	require.NoError(t, err)
	require.Equal(t, cdx.SpecVersion1_7, s.SpecVersion)
	require.Len(t, s.Components, 1)
	require.Equal(t, "Go/example.com/a@1.0.0", s.Components[0].Key())
}
