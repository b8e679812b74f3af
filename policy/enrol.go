package policy

import (
	"bytes"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// A genesis template may name a founding custodian without keys yet
// (name and role only): `signbox init` enrols them on their own token
// during the genesis and writes their keys in with Enrol.

// Unenrolled lists, in file order, the custodians of template raw that
// have no approval_key yet. raw is read as YAML only: a template with
// custodians still to enrol does not validate until they are.
func Unenrolled(raw []byte) ([]string, error) {
	list, err := custodianNodes(raw, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range list {
		name := mapValue(c, "name")
		if name == nil || name.Value == "" {
			return nil, errors.New("policy: custodians: an entry has no name")
		}
		if k := mapValue(c, "approval_key"); k == nil || k.Value == "" {
			out = append(out, name.Value)
		}
	}
	return out, nil
}

// Enrol returns raw with custodian name's approval_key and share_key set
// to the PEM texts, keeping the rest as written. Others may still be
// unenrolled, so the result is not validated here: Parse it once every
// custodian is enrolled.
func Enrol(raw []byte, name, approvalPEM, sharePEM string) ([]byte, error) {
	var doc yaml.Node
	list, err := custodianNodes(raw, &doc)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if n := mapValue(c, "name"); n == nil || n.Value != name {
			continue
		}
		if k := mapValue(c, "approval_key"); k != nil && k.Value != "" {
			return nil, fmt.Errorf("policy: custodian %s is enrolled already", name)
		}
		c.Style = 0 // block style: a PEM does not sit well in {…}
		setScalar(c, "approval_key", approvalPEM)
		setScalar(c, "share_key", sharePEM)
		for _, key := range []string{"approval_key", "share_key"} {
			mapValue(c, key).Style = yaml.LiteralStyle
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	return nil, fmt.Errorf("policy: no custodian named %q", name)
}

// custodianNodes reads raw (into doc when given) and returns the mapping
// node of every custodian.
func custodianNodes(raw []byte, doc *yaml.Node) ([]*yaml.Node, error) {
	if doc == nil {
		doc = new(yaml.Node)
	}
	if err := yaml.Unmarshal(raw, doc); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	cs := mapValue(docRoot(doc), "custodians")
	if cs == nil || cs.Kind != yaml.SequenceNode {
		return nil, errors.New("policy: custodians: a list is required")
	}
	return cs.Content, nil
}
