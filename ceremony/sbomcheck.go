package ceremony

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"signbox/policy"
)

// checkSBOM is the ceremony's minimal look at the SBOM: that it is the
// CycloneDX JSON of a version the policy accepts and, when the policy says
// release.sbom.require_hashes, that it lists the SHA-256 of every image
// (name → bytes) it describes. The sbom package does the full validation
// before a release request is imported.
func checkSBOM(b []byte, rules policy.SBOMRules, images map[string][]byte) (string, error) {
	var head sbomHead
	if err := json.Unmarshal(b, &head); err != nil {
		return "", fmt.Errorf("%s: not JSON: %w", InputSBOM, err)
	}
	if head.BOMFormat != "CycloneDX" {
		return "", fmt.Errorf("%w: %s: bomFormat %q, want CycloneDX", ErrPolicyDenied, InputSBOM, head.BOMFormat)
	}
	if rules.Required && versionLess(head.SpecVersion, rules.MinSpecVersion) {
		return "", fmt.Errorf("%w: %s: CycloneDX %s is older than the policy's %s (release.sbom.min_spec_version)", ErrPolicyDenied, InputSBOM, head.SpecVersion, rules.MinSpecVersion)
	}
	if rules.RequireHashes {
		if err := head.listsImages(images); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s: CycloneDX %s, lists the SHA-256 of %d images", InputSBOM, head.SpecVersion, len(images)), nil
	}
	return fmt.Sprintf("%s: CycloneDX %s", InputSBOM, head.SpecVersion), nil
}

// sbomHead is the part of a CycloneDX document the ceremony reads.
type sbomHead struct {
	BOMFormat   string `json:"bomFormat"`
	SpecVersion string `json:"specVersion"`
	Metadata    struct {
		Component *sbomComponent `json:"component"`
	} `json:"metadata"`
	Components []sbomComponent `json:"components"`
}

type sbomComponent struct {
	Hashes []struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	} `json:"hashes"`
	Components []sbomComponent `json:"components"`
}

// listsImages wants every image's SHA-256 among the hashes of the
// metadata component or any (nested) component.
func (h sbomHead) listsImages(images map[string][]byte) error {
	have := map[string]bool{}
	var walk func([]sbomComponent)
	walk = func(cs []sbomComponent) {
		for _, c := range cs {
			for _, x := range c.Hashes {
				if x.Alg == "SHA-256" {
					have[strings.ToLower(x.Content)] = true
				}
			}
			walk(c.Components)
		}
	}
	if h.Metadata.Component != nil {
		walk([]sbomComponent{*h.Metadata.Component})
	}
	walk(h.Components)
	for _, name := range sortedNames(images) {
		sum := sha256.Sum256(images[name])
		if !have[hex.EncodeToString(sum[:])] {
			return fmt.Errorf("%w: %s does not list %s (SHA-256 %x): the policy requires the SBOM to carry the image hashes (release.sbom.require_hashes)", ErrPolicyDenied, InputSBOM, name, sum)
		}
	}
	return nil
}

func sortedNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
