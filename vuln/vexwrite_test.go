package vuln

import (
	"bytes"
	"encoding/json"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

// cdxEncode is the document BuildVEX describes as cyclonedx-go writes it:
// the reference the streaming writer must equal byte for byte.
func cdxEncode(t *testing.T, res *Result, ds *Decisions, info VEXInfo) []byte {
	bom, err := BuildVEX(res, ds, info)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).EncodeVersion(bom, cdx.SpecVersion1_6))
	return buf.Bytes()
}

// TestVEXWriterMatchesCycloneDX: the streaming writer produces the bytes
// cyclonedx-go produces for BuildVEX's document, for both ways of naming
// components (BOM-Links into a release SBOM, copies under the SBOM's
// refs), with and without decisions, and the result passes the official
// 1.6 schema and signbox's reference checks.
func TestVEXWriterMatchesCycloneDX(t *testing.T) {
	res, rel := demoRelease(t)
	crates := cratesScan(t)
	empty, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	// Strings that exercise every escape encoding/json applies.
	crates.Findings[0].Summary = "a <b> & \"c\" \\ \t\n\r\b\f \x01 \u2028\u2029 \xff é 😀"
	for name, tc := range map[string]struct {
		res  *Result
		ds   *Decisions
		info VEXInfo
	}{
		"bom-links":       {res, empty, VEXInfo{Timestamp: decidedAt, SBOM: rel}},
		"copies, triaged": {crates, triaged(t, crates), VEXInfo{Timestamp: decidedAt, SBOMDigest: "sha256:x", SBOM: readSBOM(t, "testdata/real/crates.cdx.json")}},
		"no findings":     {&Result{FeedDigest: "sha256:f"}, empty, VEXInfo{Timestamp: decidedAt, SBOM: rel}},
	} {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			require.NoError(t, WriteVEX(&got, tc.res, tc.ds, tc.info))
			require.Equal(t, string(cdxEncode(t, tc.res, tc.ds, tc.info)), got.String())
			_, err := sbom.Parse(got.Bytes(), sbom.FormatJSON)
			require.NoError(t, err)
		})
	}
}

// TestVEXWriterStreamsNothingOnError: a finding the SBOM cannot name is
// refused before the first byte.
func TestVEXWriterStreamsNothingOnError(t *testing.T) {
	res := cratesScan(t)
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	var got bytes.Buffer
	err = WriteVEX(&got, res, ds, VEXInfo{Timestamp: decidedAt, SBOM: readSBOM(t, "testdata/scan.cdx.json")})
	require.ErrorContains(t, err, "in the SBOM the VEX describes")
	require.Zero(t, got.Len())
}

func TestCheckVEXEntryRefusesWhatTheWriterWouldDrop(t *testing.T) {
	ok := cdx.Vulnerability{ID: "X", BOMRef: "X c", Affects: &[]cdx.Affects{{Ref: "c"}}}
	require.NoError(t, checkVEXEntry(&ok))
	bad := ok
	bad.Detail = "dropped"
	require.Error(t, checkVEXEntry(&bad))
	bad = ok
	bad.Analysis = &cdx.VulnerabilityAnalysis{State: "maybe"}
	require.Error(t, checkVEXEntry(&bad))
	bad = ok
	bad.Ratings = &[]cdx.VulnerabilityRating{{Severity: "severe"}}
	require.Error(t, checkVEXEntry(&bad))
	bad = ok
	bad.Affects = nil
	require.Error(t, checkVEXEntry(&bad))
}

// FuzzAppendJSONString: the writer's string escaping equals encoding/json
// with HTML escaping on, for any string.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "<&>", "\u2028", "\xff\xfe", "\x00\x1f\"\\", "é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}
