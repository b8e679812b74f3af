package ceremony

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"signbox/policy"
)

// FuzzCheckSBOM: the ceremony's SBOM header check reads the SBOM the
// release request carried. It never panics, and when the policy requires
// image hashes it passes only an SBOM that really lists every image's
// SHA-256. Seeds: the repository's real CycloneDX files.
func FuzzCheckSBOM(f *testing.F) {
	for _, p := range []string{"../examples/ci/sample/sbom.cdx.json", "../vuln/testdata/scan.cdx.json", "../demo/data/proton-bridge-v1.8.0.cdx.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	app := []byte("app image")
	sum := sha256.Sum256(app)
	f.Add([]byte(fmt.Sprintf(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"hashes":[{"alg":"SHA-256","content":%q}]}}}`, hex.EncodeToString(sum[:]))), true)
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.10","components":[{"components":[{"hashes":[]}]}]}`), true)
	images := map[string][]byte{"app.bin": app}
	f.Fuzz(func(t *testing.T, b []byte, hashes bool) {
		rules := policy.SBOMRules{Required: true, MinSpecVersion: "1.5", RequireHashes: hashes}
		msg, err := checkSBOM(b, rules, images)
		if err != nil {
			return
		}
		// (JSON escapes could spell the hash another way; only plain text
		// is checked.)
		lower := strings.ToLower(string(b))
		if hashes && !strings.Contains(lower, hex.EncodeToString(sum[:])) && !strings.Contains(lower, `\u`) {
			t.Fatalf("passed (%s) without the image hash in the document", msg)
		}
	})
}
