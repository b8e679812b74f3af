package fleet

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"signbox/publish"
)

func target(t *testing.T, product, chip, version string, sv uint32) *metadata.TargetFiles {
	t.Helper()
	raw, err := publish.MarshalCustom(publish.Custom{Kind: publish.CustomKind, Product: product, Chip: chip, Version: version,
		SecurityVersion: sv, ManifestSHA256: strings.Repeat("0", 64), MediaType: "application/vnd.oci.image.manifest.v1+json",
		Rollout: publish.Everyone(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	tf := metadata.TargetFile()
	tf.Custom = &raw
	return tf
}

func TestNewest(t *testing.T) {
	ts := map[string]*metadata.TargetFiles{
		"pump/1.0.0":    target(t, "pump", "esp32c6", "1.0.0", 1),
		"pump/1.2.0":    target(t, "pump", "esp32c6", "1.2.0", 2),
		"pump/1.10.0":   target(t, "pump", "esp32c6", "1.10.0", 2), // semver, not string order
		"pump/9.0.0":    target(t, "pump", "esp32c3", "9.0.0", 9),  // another chip
		"monitor/9.0.0": target(t, "monitor", "esp32c6", "9.0.0", 9),
		"other-tool":    metadata.TargetFile(), // no signbox block: ignored
	}
	c, err := newest(ts, "pump", "esp32c6")
	if err != nil || c.path != "pump/1.10.0" {
		t.Fatalf("newest = %+v, %v; want pump/1.10.0", c, err)
	}
	if _, err := newest(ts, "ventilator", "esp32c6"); !errors.Is(err, ErrNoUpdate) {
		t.Fatalf("no release: %v", err)
	}
	ts["pump/2.0.0"] = target(t, "pump", "esp32c6", "3.0.0", 3) // path and custom disagree
	if _, err := newest(ts, "pump", "esp32c6"); !errors.Is(err, ErrMetadata) {
		t.Fatalf("mismatched path: %v", err)
	}
}
