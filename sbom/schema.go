package sbom

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
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
}

// referenced are the schemas the bom schemas $ref, by the URL they use.
var referenced = map[string]string{
	schemaBase + "spdx.schema.json":     "spdx.schema.json",
	schemaBase + "jsf-0.82.schema.json": "jsf-0.82.schemax.json",
}

// maxSchemaErrors bounds the schema errors reported for one document.
const maxSchemaErrors = 50

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

// schemaFor compiles the schema of spec version v once, from the embedded
// files only (nothing is fetched).
func schemaFor(v cdx.SpecVersion) (*jsonschema.Schema, error) {
	c, ok := schemas[v]
	if !ok {
		return nil, fmt.Errorf("%w: no schema for %s", ErrSpecVersion, v)
	}
	c.once.Do(func() { c.schema, c.err = compileSchema(schemaFiles[v]) })
	return c.schema, c.err
}

func compileSchema(file string) (*jsonschema.Schema, error) {
	comp := jsonschema.NewCompiler()
	comp.UseLoader(embeddedLoader{})
	add := func(url, name string) error {
		doc, err := loadEmbedded(name)
		if err != nil {
			return err
		}
		return comp.AddResource(url, doc)
	}
	for url, name := range referenced {
		if err := add(url, name); err != nil {
			return nil, err
		}
	}
	if err := add(schemaBase+file, file); err != nil {
		return nil, err
	}
	s, err := comp.Compile(schemaBase + file)
	if err != nil {
		return nil, fmt.Errorf("compile embedded schema %s: %w", file, err)
	}
	return s, nil
}

func loadEmbedded(name string) (any, error) {
	b, err := schemaFS.ReadFile("schema/" + name)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// embeddedLoader refuses every URL: all schemas are added as resources,
// and validation must never reach the network.
type embeddedLoader struct{}

func (embeddedLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

// validateSchema checks a JSON document against the official schema of
// its spec version and lists what the schema refuses, one error per
// problem, each with the JSON pointer of the offending value.
func validateSchema(data []byte, v cdx.SpecVersion) error {
	s, err := schemaFor(v)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("decode JSON: %w", err)
	}
	err = s.Validate(inst)
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err
	}
	var msgs []string
	leaves(ve, inst, message.NewPrinter(language.English), map[string]bool{}, &msgs)
	if len(msgs) == 0 {
		msgs = append(msgs, ve.Error())
	}
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		errs[i] = fmt.Errorf("CycloneDX %s schema: %s", v, m)
	}
	return errors.Join(errs...)
}

// leaves collects the innermost errors: the ones that name a value and
// what is wrong with it.
func leaves(e *jsonschema.ValidationError, inst any, p *message.Printer, seen map[string]bool, out *[]string) {
	if len(*out) >= maxSchemaErrors {
		return
	}
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			leaves(c, inst, p, seen, out)
		}
		return
	}
	m := "/" + strings.Join(e.InstanceLocation, "/") + ": " + scalarAt(inst, e.InstanceLocation) + e.ErrorKind.LocalizedString(p)
	if !seen[m] {
		seen[m] = true
		*out = append(*out, m)
	}
}

// scalarAt quotes the string, number or boolean at loc, so an error
// names the value it refuses; "" for objects and arrays.
func scalarAt(v any, loc []string) string {
	for _, k := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return strconv.Quote(x) + " "
	case json.Number, bool:
		return fmt.Sprint(x) + " "
	}
	return ""
}
