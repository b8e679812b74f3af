package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize bounds a policy file; a real one is a few KiB.
const MaxFileSize = 1 << 20

// Parse strictly decodes and validates a policy file.
func Parse(data []byte) (*Policy, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("policy is %d bytes, more than the %d allowed", len(data), MaxFileSize)
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("policy is empty")
		}
		return nil, fmt.Errorf("policy: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("policy: more than one YAML document")
	}
	if err := checkNode(&root, reflect.TypeFor[Policy](), ""); err != nil {
		return nil, err
	}
	p := &Policy{}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(p); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	p.raw = bytes.Clone(data)
	return p, nil
}

// checkNode walks the YAML tree beside the Go type so that an unknown or
// duplicate key is reported with its full field path; yaml.v3's own
// messages name only a line and a Go type.
func checkNode(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return errors.New("policy is empty")
		}
		return checkNode(n.Content[0], t, path)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("%s: YAML anchors and aliases are not allowed (line %d)", where(path), n.Line)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[Duration]() {
		if err := expectKind(n, yaml.ScalarNode, path); err != nil {
			return err
		}
		if _, err := parseDuration(n.Value); err != nil {
			return fmt.Errorf("%s: %w (line %d)", where(path), err, n.Line)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		return checkMapping(n, t, path)
	case reflect.Slice:
		if err := expectKind(n, yaml.SequenceNode, path); err != nil {
			return err
		}
		for i, c := range n.Content {
			if err := checkNode(c, t.Elem(), fieldIndex(path, i)); err != nil {
				return err
			}
		}
		return nil
	default:
		if err := expectKind(n, yaml.ScalarNode, path); err != nil {
			return err
		}
		return checkScalar(n, t.Kind(), path)
	}
}

// checkScalar names the path of a value of the wrong type, which yaml.v3
// reports only by line.
func checkScalar(n *yaml.Node, k reflect.Kind, path string) error {
	want := ""
	switch k {
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Uint32, reflect.Uint:
		if n.ShortTag() != "!!int" {
			want = "an integer"
		}
	case reflect.Bool:
		if n.ShortTag() != "!!bool" {
			want = "true or false"
		}
	}
	if want != "" {
		return fmt.Errorf("%s: %q is not %s (line %d)", where(path), n.Value, want, n.Line)
	}
	return nil
}

func checkMapping(n *yaml.Node, t reflect.Type, path string) error {
	if err := expectKind(n, yaml.MappingNode, path); err != nil {
		return err
	}
	fields := yamlFields(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		sub := join(path, name)
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: keys must be plain strings (line %d)", where(path), k.Line)
		}
		if line, dup := seen[name]; dup {
			return fmt.Errorf("%s: duplicate key (lines %d and %d)", sub, line, k.Line)
		}
		seen[name] = k.Line
		ft, ok := fields[name]
		if !ok {
			return fmt.Errorf("%s: unknown field (line %d)", sub, k.Line)
		}
		if err := checkNode(v, ft, sub); err != nil {
			return err
		}
	}
	return nil
}

// yamlFields maps YAML keys to field types, flattening ",inline" fields.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

var kindNames = map[yaml.Kind]string{
	yaml.ScalarNode:   "a single value",
	yaml.SequenceNode: "a list",
	yaml.MappingNode:  "a mapping",
}

func expectKind(n *yaml.Node, want yaml.Kind, path string) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("%s: YAML anchors and aliases are not allowed (line %d)", where(path), n.Line)
	}
	if n.Kind != want {
		return fmt.Errorf("%s: want %s, found %s (line %d)", where(path), kindNames[want], kindNames[n.Kind], n.Line)
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "" && n.Style&yaml.TaggedStyle != 0 {
		return fmt.Errorf("%s: explicit YAML tags are not allowed (line %d)", where(path), n.Line)
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func fieldIndex(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func where(path string) string {
	if path == "" {
		return "policy"
	}
	return path
}
