package ceremony

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"signbox/policy"
)

// checkSBOM is the ceremony's minimal look at the SBOM: that it is the
// CycloneDX JSON of a version the policy accepts. The sbom package does
// the full validation before a release request is imported.
func checkSBOM(b []byte, rules policy.SBOMRules) (string, error) {
	var head struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return "", fmt.Errorf("%s: not JSON: %w", InputSBOM, err)
	}
	if head.BOMFormat != "CycloneDX" {
		return "", fmt.Errorf("%w: %s: bomFormat %q, want CycloneDX", ErrPolicyDenied, InputSBOM, head.BOMFormat)
	}
	if rules.Required && versionLess(head.SpecVersion, rules.MinSpecVersion) {
		return "", fmt.Errorf("%w: %s: CycloneDX %s is older than the policy's %s (release.sbom.min_spec_version)", ErrPolicyDenied, InputSBOM, head.SpecVersion, rules.MinSpecVersion)
	}
	return fmt.Sprintf("%s: CycloneDX %s", InputSBOM, head.SpecVersion), nil
}

func versionLess(a, b string) bool {
	pa, pb := strings.SplitN(a, ".", 2), strings.SplitN(b, ".", 2)
	if len(pa) != 2 || len(pb) != 2 {
		return true
	}
	ma, _ := strconv.Atoi(pa[0])
	na, _ := strconv.Atoi(pa[1])
	mb, _ := strconv.Atoi(pb[0])
	nb, _ := strconv.Atoi(pb[1])
	return ma < mb || (ma == mb && na < nb)
}
