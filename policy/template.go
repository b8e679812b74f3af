package policy

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Planned lists the inventory's planned keys: what a genesis template asks
// signbox init to make.
func (p *Policy) Planned() []NamedKey {
	var out []NamedKey
	for _, k := range p.AllKeys() {
		if k.Status == StatusPlanned {
			out = append(out, k)
		}
	}
	return out
}

// Activate returns the policy text raw with each key whose label is in fps
// marked active and pinned to fps[label] (no fingerprint for "", a secret
// key), keeping everything else — order, comments, flow style — as the
// author wrote it. The result is parsed and validated before it is
// returned.
func Activate(raw []byte, fps map[string]string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	keys := mapValue(docRoot(&doc), "keys")
	if keys == nil {
		return nil, fmt.Errorf("keys: required")
	}
	done := map[string]bool{}
	for _, k := range keyNodes(keys) {
		label := mapValue(k, "label")
		if label == nil {
			continue
		}
		fp, ok := fps[label.Value]
		if !ok {
			continue
		}
		setScalar(k, "status", string(StatusActive))
		if fp != "" {
			setScalar(k, "fingerprint", fp)
		}
		done[label.Value] = true
	}
	for label := range fps {
		if !done[label] {
			return nil, fmt.Errorf("keys: no key labelled %q to activate", label)
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if _, err := Parse(b.Bytes()); err != nil {
		return nil, fmt.Errorf("activated policy: %w", err)
	}
	return b.Bytes(), nil
}

func docRoot(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return n.Content[0]
	}
	return n
}

// mapValue returns the value node of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// keyNodes lists the mapping node of every key in the keys section.
func keyNodes(keys *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for i := 0; i+1 < len(keys.Content); i += 2 {
		v := keys.Content[i+1]
		switch v.Kind {
		case yaml.SequenceNode:
			out = append(out, v.Content...)
		case yaml.MappingNode:
			out = append(out, v)
		}
	}
	return out
}

// setScalar sets key to value in mapping m, adding it after the last
// entry when it is missing.
func setScalar(m *yaml.Node, key, value string) {
	if v := mapValue(m, key); v != nil {
		v.Kind, v.Tag, v.Value, v.Style = yaml.ScalarNode, "!!str", value, 0
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}
