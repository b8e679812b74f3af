package sbom

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"signbox/internal/schemacheck"
)

// The official CycloneDX JSON schemas, one per spec version signbox reads,
// with the two schemas they reference (schema/README.md says where they
// come from and under which licence).
//
//go:embed schema/*.json
var schemaFS embed.FS

const schemaBase = "http://cyclonedx.org/schema/"

var schemaFiles = map[cdx.SpecVersion]string{
	cdx.SpecVersion1_2: "bom-1.2.schema.json",
	cdx.SpecVersion1_3: "bom-1.3.schema.json",
	cdx.SpecVersion1_4: "bom-1.4.schema.json",
	cdx.SpecVersion1_5: "bom-1.5.schema.json",
	cdx.SpecVersion1_6: "bom-1.6.schema.json",
	cdx.SpecVersion1_7: "bom-1.7.schema.json",
}

type compiled struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

var schemas = map[cdx.SpecVersion]*compiled{}

func init() {
	for v := range schemaFiles {
		schemas[v] = &compiled{}
	}
}

// schemaFor compiles the schema of spec version v once.
func schemaFor(v cdx.SpecVersion) (*jsonschema.Schema, error) {
	c, ok := schemas[v]
	if !ok {
		return nil, fmt.Errorf("%w: no schema for %s", ErrSpecVersion, v)
	}
	c.once.Do(func() {
		sub, err := fs.Sub(schemaFS, "schema")
		if err != nil {
			c.err = err
			return
		}
		root := schemaBase + schemaFiles[v]
		c.schema, c.err = schemacheck.Compile(sub, root, map[string]string{
			root:                                schemaFiles[v],
			schemaBase + "spdx.schema.json":     "spdx.schema.json",
			schemaBase + "jsf-0.82.schema.json": "jsf-0.82.schemax.json",
			// Referenced from 1.7 on (cryptographic asset enums).
			schemaBase + "cryptography-defs.schema.json": "cryptography-defs.schema.json",
		})
	})
	return c.schema, c.err
}

// validateSchema checks a JSON document against the official schema of
// its spec version: one error per problem, each with the JSON pointer of
// the offending value.
func validateSchema(data []byte, v cdx.SpecVersion) error {
	s, err := schemaFor(v)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range schemacheck.Problems(s, data) {
		errs = append(errs, fmt.Errorf("CycloneDX %s schema: %s", v, p))
	}
	return errors.Join(errs...)
}
