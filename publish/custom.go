package publish

import (
	"encoding/json"
	"errors"
	"fmt"

	"signbox/airgap/strictjson"
)

// CustomKind names the signbox block in a TUF target's custom field.
const CustomKind = "signbox.tuf-target/v1"

// Custom is what the targets key signs about a bundle besides its length
// and hash: what it is for, what it raises the floor to, where its OCI
// manifest is, and who may install it when.
type Custom struct {
	Kind            string  `json:"kind"`
	Product         string  `json:"product"`
	Chip            string  `json:"chip"`
	Version         string  `json:"version"`
	SecurityVersion uint32  `json:"security_version"`
	ManifestSHA256  string  `json:"bundle_manifest_sha256"` // the DSSE manifest's payload, as bundle.Result
	MediaType       string  `json:"media_type"`             // of the OCI manifest the target is
	Rollout         Rollout `json:"rollout"`
}

// customEnvelope is the target's custom field: one key, so other tools'
// custom entries never collide with ours.
type customEnvelope struct {
	Signbox Custom `json:"signbox"`
}

// MarshalCustom encodes c as a target's custom field.
func MarshalCustom(c Custom) (json.RawMessage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(customEnvelope{Signbox: c})
}

// ParseCustom reads a target's custom field strictly: unknown or duplicate
// keys, a missing block or an invalid rollout plan are refused.
func ParseCustom(raw *json.RawMessage) (Custom, error) {
	if raw == nil || len(*raw) == 0 {
		return Custom{}, errors.New("target has no custom metadata: not a signbox bundle target")
	}
	var env customEnvelope
	if err := strictjson.Decode(*raw, &env); err != nil {
		return Custom{}, fmt.Errorf("target custom metadata: %w", err)
	}
	if err := env.Signbox.Validate(); err != nil {
		return Custom{}, fmt.Errorf("target custom metadata: %w", err)
	}
	return env.Signbox, nil
}

// Validate checks the fields a client relies on.
func (c Custom) Validate() error {
	switch {
	case c.Kind != CustomKind:
		return fmt.Errorf("kind %q, want %q", c.Kind, CustomKind)
	case c.Product == "" || c.Chip == "" || c.Version == "":
		return errors.New("product, chip and version are required")
	case len(c.ManifestSHA256) != 64:
		return errors.New("bundle_manifest_sha256 must be 64 hex digits")
	case c.MediaType == "":
		return errors.New("media_type is required")
	}
	if err := c.Rollout.Validate(); err != nil {
		return fmt.Errorf("rollout: %w", err)
	}
	return nil
}
