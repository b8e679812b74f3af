package sbom

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEmbeddedSchemasCompile(t *testing.T) {
	for v := range schemaFiles {
		_, err := schemaFor(v)
		require.NoError(t, err, v.String())
	}
}

// TestEnumsPerSpecVersion: each document is checked against the schema of
// its own spec version, so a value a later version added is refused in an
// earlier one, as the official schema does.
func TestEnumsPerSpecVersion(t *testing.T) {
	const sha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	doc := func(spec, comp string) string {
		return fmt.Sprintf(`{"bomFormat":"CycloneDX","specVersion":%q,"version":1,"components":[%s]}`, spec, comp)
	}
	hash := func(alg string) string {
		return fmt.Sprintf(`{"type":"library","name":"x","version":"1","hashes":[{"alg":%q,"content":%q}]}`, alg, sha)
	}
	typed := func(typ string) string { return fmt.Sprintf(`{"type":%q,"name":"x","version":"1"}`, typ) }
	for _, tc := range []struct{ name, doc, want string }{
		{"Streebog-256 in 1.6", doc("1.6", hash("Streebog-256")), `/components/0/hashes/0/alg: "Streebog-256" value must be one of`},
		{"BLAKE3 in 1.6", doc("1.6", hash("BLAKE3")), ""},
		{"cryptographic-asset in 1.2", doc("1.2", typed("cryptographic-asset")), `CycloneDX 1.2 schema: /components/0/type: "cryptographic-asset"`},
		{"cryptographic-asset in 1.5", doc("1.5", typed("cryptographic-asset")), `"cryptographic-asset" value must be one of`},
		{"cryptographic-asset in 1.6", doc("1.6", typed("cryptographic-asset")), ""},
		{"platform in 1.4", doc("1.4", typed("platform")), `"platform" value must be one of`},
		{"platform in 1.5", doc("1.5", typed("platform")), ""},
		{"1.2 needs a component version", doc("1.2", `{"type":"library","name":"x"}`), "/components/0: missing property 'version'"},
		{"1.4 refuses unknown properties", doc("1.4", `{"type":"library","name":"x","colour":"red"}`), "additional properties 'colour' not allowed"},
		{"1.3 allows them", doc("1.3", `{"type":"library","name":"x","version":"1","colour":"red"}`), ""},
		{"bad serial", `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"serialNumber":"urn:uuid:NOT"}`, "/serialNumber:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), FormatJSON)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrMalformed)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestXMLCheckedBySchema: an XML SBOM is checked through its JSON
// rendering at the same spec version.
func TestXMLCheckedBySchema(t *testing.T) {
	doc := `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.2" version="1"><components>` +
		`<component type="cryptographic-asset"><name>x</name><version>1</version></component></components></bom>`
	_, err := Parse([]byte(doc), FormatXML)
	require.ErrorContains(t, err, `CycloneDX 1.2 schema: /components/0/type: "cryptographic-asset"`)
}
