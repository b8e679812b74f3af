// Package schemacheck compiles JSON schemas shipped inside signbox (never
// fetched) and reports what a document breaks as one message per problem,
// each naming the JSON pointer and, for a scalar, the value refused. It
// wraps santhosh-tekuri/jsonschema/v6.
package schemacheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// MaxProblems bounds the messages reported for one document.
const MaxProblems = 50

// Compile compiles the schema at URL root. resources maps every schema
// URL the root may reach, itself included, to its file in fsys; any other
// URL is refused, so validation never reaches the network. Format
// assertions are on whatever the schema's draft says.
func Compile(fsys fs.FS, root string, resources map[string]string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(refuseLoader{})
	c.AssertFormat()
	for url, name := range resources {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, err
		}
	}
	s, err := c.Compile(root)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", root, err)
	}
	return s, nil
}

type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not shipped with signbox", url)
}

// Problems validates data against s and returns what it breaks, nil when
// it is valid. A document that is not JSON is one problem.
func Problems(s *jsonschema.Schema, data []byte) []string {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	err = s.Validate(inst)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	leaves(ve, inst, message.NewPrinter(language.English), map[string]bool{}, &out)
	if len(out) == 0 {
		out = append(out, ve.Error())
	}
	return out
}

// leaves collects the innermost errors: the ones that name a value and
// what is wrong with it.
func leaves(e *jsonschema.ValidationError, inst any, p *message.Printer, seen map[string]bool, out *[]string) {
	if len(*out) >= MaxProblems {
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
