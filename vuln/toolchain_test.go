package vuln

import (
	"os"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/stretchr/testify/require"

	"signbox/sbom"
)

// TestGoToolchainIsChecked: purl golang.org/toolchain is the Go
// toolchain: its version (v0.0.1-go1.21.3.linux-amd64) is the Go release
// 1.21.3, and it is checked against the real Go feed's "toolchain"
// records (cmd/go and friends) and its "stdlib" ones. A stdlib purl is
// checked against stdlib only. Before, golang.org/toolchain was named
// stdlib, so the 32 toolchain advisories were never checked.
func TestGoToolchainIsChecked(t *testing.T) {
	for purl, want := range map[string][2]string{
		"pkg:golang/golang.org/toolchain@v0.0.1-go1.21.3.linux-amd64":   {"toolchain", "1.21.3"},
		"pkg:golang/golang.org/toolchain@v0.0.1-go1.22rc1.darwin-arm64": {"toolchain", "1.22.0-rc.1"},
		"pkg:golang/stdlib@go1.20":                                      {"stdlib", "1.20.0"},
		"pkg:golang/std@1.21.3":                                         {"stdlib", "1.21.3"},
		"pkg:golang/go@v1.19.2":                                         {"stdlib", "1.19.2"},
	} {
		c, reason := sbom.Normalise(&cdx.Component{Type: "library", Name: "go", PackageURL: purl})
		require.Empty(t, reason, purl)
		require.Equal(t, want, [2]string{c.Name, c.Version}, purl)
	}

	zip, err := os.ReadFile("../demo/data/osv/Go/all.zip")
	require.NoError(t, err)
	feed := importFeed(t, snapshot(t, map[string][]byte{"Go": zip}))
	if len(feed.Info.Packages["Go/toolchain"]) == 0 {
		t.Skip("the demo feed has no toolchain records")
	}
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
	 {"type":"application","bom-ref":"tc","name":"toolchain","version":"v0.0.1-go1.20.1.linux-amd64","purl":"pkg:golang/golang.org/toolchain@v0.0.1-go1.20.1.linux-amd64"}]}`
	s, err := sbom.Parse([]byte(doc), sbom.FormatJSON)
	require.NoError(t, err)
	res, err := Scan(feed, s)
	require.NoError(t, err)
	byName := map[string]int{}
	for _, f := range res.Findings {
		byName[f.Component.Name]++
		require.Equal(t, "components[0]", f.Component.Path)
		require.Equal(t, "1.20.1", f.Component.Version)
	}
	require.Positive(t, byName["toolchain"], "toolchain advisories checked")
	require.Positive(t, byName["stdlib"], "stdlib advisories checked")
	require.Zero(t, res.NotChecked())
	// The VEX names the toolchain component for both kinds.
	ds, err := LoadDecisions(t.TempDir())
	require.NoError(t, err)
	var vex strings.Builder
	require.NoError(t, WriteVEX(&vex, res, ds, VEXInfo{Timestamp: decidedAt, SBOM: s}))
	require.Equal(t, len(res.Findings), strings.Count(vex.String(), `"ref": "tc"`))
}
