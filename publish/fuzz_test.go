package publish

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzParseCustom: a target's custom field comes from the repository;
// ParseCustom never panics and what it accepts validates and re-encodes.
func FuzzParseCustom(f *testing.F) {
	seed, _ := MarshalCustom(Custom{Kind: CustomKind, Product: "p", Chip: "esp32c6", Version: "1.0.0",
		SecurityVersion: 2, ManifestSHA256: "0000000000000000000000000000000000000000000000000000000000000000",
		MediaType: "application/vnd.oci.image.manifest.v1+json", Rollout: Everyone(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	f.Add([]byte(seed))
	f.Add([]byte(`{"signbox":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		raw := json.RawMessage(b)
		c, err := ParseCustom(&raw)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted but invalid: %v", err)
		}
		if _, err := MarshalCustom(c); err != nil {
			t.Fatal(err)
		}
	})
}
