package demo

import (
	"encoding/json"
	"fmt"

	"signbox/sbom"
)

// supportUntil is the end-of-support date the demo manufacturer commits to
// for every component it ships in 1.1.0: the pump's own support period.
const supportUntil = "2031-12-31"

// withSupport is the release manager's enrichment of the real SBOM before
// it goes into the 1.1.0 request: FDA's per-component support level and
// end-of-support date as properties. CycloneDX has component properties
// only from 1.3, so the enriched document says 1.4; nothing else changes.
// The demo manufacturer does not know its open-source suppliers' plans,
// so every level is "unknown", which is what FDA asks to be told.
func withSupport(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	comps, ok := doc["components"].([]any)
	if !ok {
		return nil, fmt.Errorf("SBOM has no components list")
	}
	for _, c := range comps {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("SBOM component is not an object")
		}
		props, _ := m["properties"].([]any)
		m["properties"] = append(props,
			map[string]any{"name": sbom.PropSupportLevel, "value": string(sbom.SupportUnknown)},
			map[string]any{"name": sbom.PropEndOfSupport, "value": supportUntil})
	}
	doc["specVersion"] = "1.4"
	return json.MarshalIndent(doc, "", "  ")
}
