package sbom

import (
	"bytes"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/require"
)

// TestReleaseMetadataFromRealSBOM: the real proton-bridge SBOM (CycloneDX
// 1.2, a legacy tools array) keeps its tool next to signbox, and the
// manufacturer makes, supplies and authors the release SBOM.
func TestReleaseMetadataFromRealSBOM(t *testing.T) {
	src, err := Parse(readGz(t, "proton-bridge-v1.8.0.cdx.json.gz"), FormatJSON)
	require.NoError(t, err)
	r := testRelease(t)
	r.Source, r.Support, r.ToolVersion = src, nil, "v1.2.3"
	var buf bytes.Buffer
	require.NoError(t, WriteRelease(&buf, r, ReleasePolicy{}))
	back, err := Parse(buf.Bytes(), FormatJSON)
	require.NoError(t, err)
	md := back.BOM.Metadata
	tools := *md.Tools.Components
	require.Len(t, tools, 2)
	require.Equal(t, "cyclonedx-gomod", tools[0].Name)
	require.Equal(t, "v0.6.1", tools[0].Version)
	require.Equal(t, "CycloneDX", tools[0].Manufacturer.Name)
	require.Len(t, *tools[0].Hashes, 4)
	require.Equal(t, cdx.Component{Type: cdx.ComponentTypeApplication, Name: "signbox", Version: "v1.2.3"}, tools[1])
	require.Equal(t, "Example Medical", md.Manufacturer.Name)
	require.Equal(t, "Example Medical", md.Supplier.Name)
	require.Equal(t, "Example Medical", (*md.Authors)[0].Name)
	require.Equal(t, "Example Medical", md.Component.Supplier.Name)
	require.Equal(t, "2026-11-21T09:30:00Z", md.Timestamp)
}

// TestReleaseSupportStatements: the request's statements fill support
// level, end of support and a supplier the SBOM lacks; "unknown" needs no
// date, any other level does; a supplier the SBOM names is kept.
func TestReleaseSupportStatements(t *testing.T) {
	r := testRelease(t)
	eos := time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC)
	for ref := range r.Support {
		r.Support[ref] = Support{Level: SupportUnknown}
	}
	r.Support["a"] = Support{Level: SupportActive, EndOfSupport: eos, Supplier: "Foo Project"}
	var buf bytes.Buffer
	require.NoError(t, WriteRelease(&buf, r, ReleasePolicy{RequireSupport: true}))
	back, err := Parse(buf.Bytes(), FormatJSON)
	require.NoError(t, err)
	a := back.ByPath()["components[0]"]
	require.Equal(t, "Foo Project", a.Supplier.Name)
	require.Nil(t, back.ByPath()["components[2]"].Supplier)

	r.Support["a"] = Support{Level: SupportLimited}
	err = WriteRelease(&bytes.Buffer{}, r, ReleasePolicy{RequireSupport: true})
	require.ErrorContains(t, err, "1 components lack FDA support information")
	require.ErrorContains(t, err, "end-of-support date")
}

// TestReleaseSuppliers: a supplier comes from the SBOM, else from the
// request's support statement, else from the longest matching purl
// prefix of the policy's mapping; with none the component names no
// supplier (never guessed) and NoSupplier lists it.
func TestReleaseSuppliers(t *testing.T) {
	tests := []struct {
		name      string
		sbomSays  string
		statement string
		suppliers Suppliers
		want      string
	}{
		{"sbom wins", "Upstream Ltd", "Statement", Suppliers{"pkg:": "Policy"}, "Upstream Ltd"},
		{"statement", "", "Statement", Suppliers{"pkg:": "Policy"}, "Statement"},
		{"longest prefix", "", "", Suppliers{"pkg:golang/": "Go", "pkg:golang/example.com/": "Example"}, "Example"},
		{"no prefix matches", "", "", Suppliers{"pkg:npm/": "npm"}, ""},
		{"nothing", "", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRelease(t)
			c := r.Source.ByPath()["components[0]"]
			c.PackageURL = "pkg:golang/example.com/a@v1.0.0"
			c.Supplier = nil
			if tt.sbomSays != "" {
				c.Supplier = &cdx.OrganizationalEntity{Name: tt.sbomSays}
			}
			s := r.Support[c.BOMRef]
			s.Supplier = tt.statement
			r.Support[c.BOMRef] = s
			r.Suppliers = tt.suppliers
			var buf bytes.Buffer
			require.NoError(t, WriteRelease(&buf, r, ReleasePolicy{}))
			back, err := Parse(buf.Bytes(), FormatJSON)
			require.NoError(t, err)
			got := back.ByPath()["components[0]"].Supplier
			if tt.want == "" {
				require.Nil(t, got)
				require.Contains(t, back.NoSupplier(), "components[0]")
				return
			}
			require.Equal(t, tt.want, got.Name)
			require.NotContains(t, back.NoSupplier(), "components[0]")
		})
	}
}
