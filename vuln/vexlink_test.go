package vuln

import (
	"bytes"
	"os"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

// demoRelease scans the demo's own data (the proton-bridge SBOM and the Go
// vulnerability database snapshot in demo/data) and writes the release
// SBOM from that SBOM, as the appliance does.
func demoRelease(t *testing.T) (*Result, *sbom.SBOM) {
	zip, err := os.ReadFile("../demo/data/osv/Go/all.zip")
	require.NoError(t, err)
	feed := importFeed(t, snapshot(t, map[string][]byte{"Go": zip}))
	src := readSBOM(t, "../demo/data/proton-bridge-v1.8.0.cdx.json")
	res, err := Scan(feed, src)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, sbom.WriteRelease(&buf, sbom.Release{FirmwareName: "infusion-pump", FirmwareVersion: "1.1.0",
		Images:    map[string]string{"app.bin": strings.Repeat("ab", 32)},
		Source:    src,
		Timestamp: decidedAt}, sbom.ReleasePolicy{}))
	rel, err := sbom.Parse(buf.Bytes(), sbom.FormatJSON)
	require.NoError(t, err)
	return res, rel
}

// TestVEXLinksEveryFindingToTheReleaseSBOM: each affects ref is a BOM-Link
// into the release SBOM (its serial and version) naming a bom-ref one of
// its components has, and the component there is the one the finding is
// about.
func TestVEXLinksEveryFindingToTheReleaseSBOM(t *testing.T) {
	res, rel := demoRelease(t)
	require.Len(t, res.Findings, 58)
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	bom, err := BuildVEX(res, ds, VEXInfo{Timestamp: decidedAt, SBOM: rel})
	require.NoError(t, err)
	require.Nil(t, bom.Components, "no copies: the refs point into the SBOM")
	byRef := map[string]*cdx.Component{}
	for _, c := range rel.ByPath() {
		byRef[c.BOMRef] = c
	}
	matched := 0
	for i, v := range *bom.Vulnerabilities {
		require.Len(t, *v.Affects, 1)
		link, err := cdx.ParseBOMLink((*v.Affects)[0].Ref)
		require.NoError(t, err, (*v.Affects)[0].Ref)
		require.Equal(t, rel.BOM.SerialNumber, link.SerialNumber())
		require.Equal(t, rel.BOM.Version, link.Version())
		c, ok := byRef[link.Reference()]
		require.True(t, ok, "%s names no release SBOM component", link.Reference())
		require.Equal(t, res.Findings[i].Component.PURL, c.PackageURL)
		matched++
	}
	require.Equal(t, 58, matched)
}

// TestVEXWithoutSerialCopiesUnderTheSBOMRefs: an SBOM without a serial
// number cannot be linked to; the VEX then names the SBOM's own bom-refs.
func TestVEXWithoutSerialCopiesUnderTheSBOMRefs(t *testing.T) {
	res := cratesScan(t)
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	bom, err := BuildVEX(res, ds, VEXInfo{Timestamp: decidedAt, SBOM: readSBOM(t, "testdata/real/crates.cdx.json")})
	require.NoError(t, err)
	refs := map[string]bool{}
	for _, c := range *bom.Components {
		refs[c.BOMRef] = true
	}
	for _, v := range *bom.Vulnerabilities {
		ref := (*v.Affects)[0].Ref
		require.True(t, refs[ref], ref)
		require.Contains(t, []string{"hyper-0.10.0", "hyper-0.9.18", "smallvec", "smallvec-old", "cap", "spin"}, ref)
	}
}

func TestVEXRefusesAnSBOMWithoutTheComponent(t *testing.T) {
	res := cratesScan(t)
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	_, err = BuildVEX(res, ds, VEXInfo{Timestamp: decidedAt})
	require.ErrorContains(t, err, "the SBOM the findings are about is required")
	other := readSBOM(t, "testdata/scan.cdx.json")
	_, err = BuildVEX(res, ds, VEXInfo{Timestamp: decidedAt, SBOM: other})
	require.ErrorContains(t, err, "in the SBOM the VEX describes")
}
