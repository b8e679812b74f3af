package airgap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"

	"go.yaml.in/yaml/v3"

	"signbox/airgap/strictjson"
)

// yamlToJSON turns one YAML document into JSON, so YAML input goes through
// the same strict JSON decoding as JSON input. Scalars keep their text:
// only a plain decimal integer or a JSON-shaped float becomes a number,
// so "udi_di: 00812345678901" stays the string it reads as and a date
// stays "2031-12-31". Aliases, merge keys, non-string keys, tags other
// than YAML's core ones and more than one document are refused.
func yamlToJSON(data []byte) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, errors.New("yaml: more than one document")
	}
	var buf bytes.Buffer
	if err := writeNode(&buf, &doc, 0); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	return buf.Bytes(), nil
}

var (
	jsonInt   = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})$`)
	jsonFloat = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
)

func writeNode(w *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > strictjson.MaxDepth {
		return fmt.Errorf("line %d: nesting deeper than %d", n.Line, strictjson.MaxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return errors.New("empty document")
		}
		return writeNode(w, n.Content[0], depth)
	case yaml.MappingNode:
		return writeMapping(w, n, depth)
	case yaml.SequenceNode:
		w.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeNode(w, c, depth+1); err != nil {
				return err
			}
		}
		w.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return writeScalar(w, n)
	case yaml.AliasNode:
		return fmt.Errorf("line %d: aliases are not allowed", n.Line)
	}
	return fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func writeMapping(w *bytes.Buffer, n *yaml.Node, depth int) error {
	w.WriteByte('{')
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			return fmt.Errorf("line %d: keys must be plain strings (found %s)", k.Line, k.Tag)
		}
		if i > 0 {
			w.WriteByte(',')
		}
		writeString(w, k.Value)
		w.WriteByte(':')
		if err := writeNode(w, n.Content[i+1], depth+1); err != nil {
			return err
		}
	}
	w.WriteByte('}')
	return nil
}

func writeScalar(w *bytes.Buffer, n *yaml.Node) error {
	switch n.Tag {
	case "!!str", "!!timestamp":
		writeString(w, n.Value)
	case "!!int":
		writeNumberOrString(w, n.Value, jsonInt)
	case "!!float":
		writeNumberOrString(w, n.Value, jsonFloat)
	case "!!bool":
		if n.Value == "true" || n.Value == "false" {
			w.WriteString(n.Value)
		} else {
			return fmt.Errorf("line %d: write booleans as true or false, not %q", n.Line, n.Value)
		}
	case "!!null":
		w.WriteString("null")
	default:
		return fmt.Errorf("line %d: tag %s is not allowed", n.Line, n.Tag)
	}
	return nil
}

func writeNumberOrString(w *bytes.Buffer, v string, number *regexp.Regexp) {
	if number.MatchString(v) {
		w.WriteString(v)
		return
	}
	writeString(w, v)
}

func writeString(w *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always encodes
	w.Write(b)
}
