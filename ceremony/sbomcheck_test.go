package ceremony

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"signbox/policy"
)

// release.sbom.require_hashes: the SBOM must list the SHA-256 of every
// image the release signs, in the metadata component or any component.
func TestCheckSBOMRequiresImageHashes(t *testing.T) {
	bl, app := []byte("bootloader bytes"), []byte("app bytes")
	hexOf := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	images := map[string][]byte{InputBootloader: bl, InputApp: app}
	rules := policy.SBOMRules{Required: true, MinSpecVersion: "1.5", RequireHashes: true}
	listed := `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"hashes":[{"alg":"SHA-256","content":"` + hexOf(bl) + `"}]}},
		"components":[{"components":[{"hashes":[{"alg":"SHA-256","content":"` + strings.ToUpper(hexOf(app)) + `"}]}]}]}`
	got, err := checkSBOM([]byte(listed), rules, images)
	if err != nil || !strings.Contains(got, "lists the SHA-256 of 2 images") {
		t.Fatalf("listed hashes: %q, %v", got, err)
	}
	missing := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"hashes":[{"alg":"SHA-256","content":"` + hexOf(bl) + `"}]}]}`
	_, err = checkSBOM([]byte(missing), rules, images)
	if !errors.Is(err, ErrPolicyDenied) || !strings.Contains(err.Error(), "does not list app.bin (SHA-256 "+hexOf(app)+")") {
		t.Fatalf("missing app hash: %v", err)
	}
	sha1 := strings.Replace(listed, `"alg":"SHA-256","content":"`+hexOf(bl), `"alg":"SHA-1","content":"`+hexOf(bl), 1)
	if _, err := checkSBOM([]byte(sha1), rules, images); err == nil || !strings.Contains(err.Error(), "bootloader.bin") {
		t.Fatalf("a SHA-1 entry counted: %v", err)
	}
	rules.RequireHashes = false
	if _, err := checkSBOM([]byte(missing), rules, images); err != nil {
		t.Fatalf("without the rule: %v", err)
	}
}
