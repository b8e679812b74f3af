package evidence

import (
	"embed"
	"errors"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"signbox/internal/schemacheck"
)

// The OASIS CSAF 2.0 JSON schema and the FIRST CVSS schemas it references
// (schema/README.md says where they come from and under which terms).
//
//go:embed schema/*.json
var csafFS embed.FS

const csafSchemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"

var csafSchema struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

// ValidateCSAF checks a document against the OASIS CSAF 2.0 JSON schema,
// with format assertions: one error per problem. Generate runs it on every
// advisory it writes.
func ValidateCSAF(doc []byte) error {
	csafSchema.once.Do(func() {
		csafSchema.schema, csafSchema.err = schemacheck.Compile(csafFS, csafSchemaURL, map[string]string{
			csafSchemaURL: "schema/csaf_json_schema.json",
			"https://www.first.org/cvss/cvss-v2.0.json": "schema/cvss-v2.0.json",
			"https://www.first.org/cvss/cvss-v3.0.json": "schema/cvss-v3.0.json",
			"https://www.first.org/cvss/cvss-v3.1.json": "schema/cvss-v3.1.json",
		})
	})
	if csafSchema.err != nil {
		return csafSchema.err
	}
	var errs []error
	for _, p := range schemacheck.Problems(csafSchema.schema, doc) {
		errs = append(errs, fmt.Errorf("CSAF 2.0 schema: %s", p))
	}
	return errors.Join(errs...)
}
