package sbom

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func minimalSBOM(t *testing.T) *SBOM {
	t.Helper()
	data, err := os.ReadFile("testdata/seed/minimal-1.6.json")
	require.NoError(t, err)
	s, err := Parse(data, FormatJSON)
	require.NoError(t, err)
	return s
}

func testRelease(t *testing.T) Release {
	s := minimalSBOM(t)
	eos := time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC)
	sup := map[string]Support{}
	for _, ref := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		sup[ref] = Support{Level: SupportActive, EndOfSupport: eos}
	}
	return Release{
		FirmwareName: "infusion-pump", FirmwareVersion: "2.1.0", Manufacturer: Organization{Name: "Example Medical"}, ToolVersion: "v0.0.0-test",
		Images: map[string]string{
			"bootloader.bin": "4a5d4b3b4c3a5e2ff1c0e1f7dd3b0d2b2a5fd9f0c4c6b1b2f4f1a9b8c7d6e5f4",
			"app.bin":        "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
		},
		Source:    s,
		Support:   sup,
		Timestamp: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC),
	}
}

func TestWriteReleaseGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteRelease(&buf, testRelease(t), ReleasePolicy{RequireSupport: true}))
	const golden = "testdata/release.golden.json"
	if *update {
		require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), buf.String())
	// What we wrote is itself a valid SBOM with the firmware images.
	back, err := Parse(buf.Bytes(), FormatJSON)
	require.NoError(t, err)
	fw := back.BOM.Metadata.Component
	require.Equal(t, "firmware", string(fw.Type))
	require.Len(t, *fw.Components, 2)
}

func TestReleaseListsEveryMissingSupport(t *testing.T) {
	r := testRelease(t)
	r.Support = map[string]Support{"a": {Level: SupportLimited}}
	err := WriteRelease(&bytes.Buffer{}, r, ReleasePolicy{RequireSupport: true})
	var ms *MissingSupportError
	require.True(t, errors.As(err, &ms), "%v", err)
	require.Len(t, ms.Missing, 9)
	require.Equal(t, []string{"end-of-support date"}, ms.Missing[0].Fields)
	require.Equal(t, "components[1].components[0]", ms.Missing[2].Path)
	require.Contains(t, err.Error(), "9 components lack FDA support information")

	// Without the requirement the same release is written.
	require.NoError(t, WriteRelease(&bytes.Buffer{}, r, ReleasePolicy{}))
}

func TestReleaseRejectsBadInput(t *testing.T) {
	r := testRelease(t)
	r.Images = map[string]string{"app.bin": "ABCD"}
	r.Timestamp = time.Time{}
	err := WriteRelease(&bytes.Buffer{}, r, ReleasePolicy{})
	require.ErrorContains(t, err, `image "app.bin": "ABCD" is not a lowercase hex SHA-256`)
	require.ErrorContains(t, err, "timestamp is required")

	r = testRelease(t)
	r.Support = map[string]Support{"a": {Level: "eternal"}}
	require.ErrorContains(t, WriteRelease(&bytes.Buffer{}, r, ReleasePolicy{}), `support level "eternal"`)
}

func TestReleaseDoesNotModifySource(t *testing.T) {
	r := testRelease(t)
	require.NoError(t, WriteRelease(&bytes.Buffer{}, r, ReleasePolicy{}))
	require.Nil(t, (*r.Source.BOM.Components)[0].Properties)
}

// TestReleaseGivesEveryComponentARef: a VEX can only link to components
// with a bom-ref, so the release SBOM gives one to each component the
// source left without: its purl when free, else a path-based ref.
func TestReleaseGivesEveryComponentARef(t *testing.T) {
	src := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
	  {"type":"library","name":"a","version":"1","purl":"pkg:golang/example.com/a@v1"},
	  {"type":"library","bom-ref":"pkg:golang/example.com/b@v1","name":"b","version":"1","purl":"pkg:golang/example.com/b@v1",
	   "components":[{"type":"library","name":"b2","version":"1","purl":"pkg:golang/example.com/b@v1"}]},
	  {"type":"library","name":"c"}]}`
	s, err := Parse([]byte(src), FormatJSON)
	require.NoError(t, err)
	r := testRelease(t)
	r.Source, r.Support = s, nil
	var buf bytes.Buffer
	require.NoError(t, WriteRelease(&buf, r, ReleasePolicy{}))
	back, err := Parse(buf.Bytes(), FormatJSON)
	require.NoError(t, err)
	got := map[string]string{}
	for path, c := range back.ByPath() {
		got[path] = c.BOMRef
	}
	require.Equal(t, map[string]string{
		"components[0]":               "pkg:golang/example.com/a@v1",
		"components[1]":               "pkg:golang/example.com/b@v1",
		"components[1].components[0]": "signbox:components[1].components[0]",
		"components[2]":               "signbox:components[2]",
	}, got)
	require.Empty(t, (*s.BOM.Components)[0].BOMRef, "the source is not modified")
}
