package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// decodeJSONStrict decodes one JSON document and refuses trailing data,
// which encoding/json's Unmarshal would also refuse but a streaming decoder
// would silently ignore. Unknown fields are allowed: CycloneDX minor
// versions only add fields.
func decodeJSONStrict(data []byte, bom *cdx.BOM) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(bom); err != nil {
		if errors.Is(err, cdx.ErrInvalidSpecVersion) {
			var probe struct {
				SpecVersion json.RawMessage `json:"specVersion"`
			}
			_ = json.Unmarshal(data, &probe)
			return fmt.Errorf("%w: specVersion %s", ErrSpecVersion, probe.SpecVersion)
		}
		return fmt.Errorf("%w: decode JSON: %w", ErrMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: trailing data after the JSON document", ErrMalformed)
	}
	return nil
}
