package evidence_test

import (
	"regexp"
	"strings"
	"testing"

	"signbox/evidence"
)

var bomLink = regexp.MustCompile(`"ref": "(urn:cdx:[0-9a-f-]{36}/1#[^"]+)"`)

// TestVEXLinksResolveIntoTheReleaseSBOM: the demo VEX names each
// component by a BOM-Link into the release SBOM; a link into another SBOM
// or to a bom-ref the SBOM lacks is refused.
func TestVEXLinksResolveIntoTheReleaseSBOM(t *testing.T) {
	in := demoInputs(t)
	links := bomLink.FindAllStringSubmatch(string(in.VEX), -1)
	if len(links) != 4 {
		t.Fatalf("demo VEX has %d BOM-Links, want 4:\n%s", len(links), in.VEX)
	}
	serial := strings.TrimPrefix(regexp.MustCompile(`urn:uuid:[0-9a-f-]{36}`).FindString(string(in.SBOM)), "urn:uuid:")
	if !strings.HasPrefix(links[0][1], "urn:cdx:"+serial+"/1#") {
		t.Fatalf("link %s does not point into the release SBOM %s", links[0][1], serial)
	}
	for name, tc := range map[string]struct{ old, new, want string }{
		"other SBOM":      {"urn:cdx:" + serial, "urn:cdx:00000000-0000-8000-8000-000000000000", "links to another SBOM than sbom.cdx.json"},
		"unknown bom-ref": {"#mbedtls", "#polarssl", `names bom-ref "polarssl", which no component of sbom.cdx.json has`},
	} {
		t.Run(name, func(t *testing.T) {
			in := demoInputs(t)
			in.VEX = []byte(strings.Replace(string(in.VEX), tc.old, tc.new, 1))
			if _, err := evidence.Generate(in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
