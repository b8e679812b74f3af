package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// MaxDepth bounds object/array nesting; signbox's manifests are at most
// four levels deep, so anything deeper is hostile or a mistake.
const MaxDepth = 16

// Decode parses data into v. v must be a pointer to a struct whose fields
// name every accepted key.
func Decode(data []byte, v any) error {
	return decode(data, v, false)
}

// DecodeIgnoringUnknown is Decode for formats whose specification tells
// consumers to ignore fields they do not know (DSSE's envelope, for one):
// unknown keys are skipped, but a key that differs from a known field's
// name only in case is still refused, since encoding/json would read it
// into that field, and duplicate keys, trailing data, invalid UTF-8 and
// deep nesting are refused as by Decode.
func DecodeIgnoringUnknown(data []byte, v any) error {
	return decode(data, v, true)
}

func decode(data []byte, v any, ignoreUnknown bool) error {
	if !utf8.Valid(data) {
		return errors.New("json: invalid UTF-8")
	}
	if err := checkKeys(data); err != nil {
		return err
	}
	if err := checkExactNames(data, reflect.TypeOf(v), ignoreUnknown); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if !ignoreUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("json: trailing data after the top-level value")
	}
	return nil
}

// checkKeys walks the token stream once and rejects duplicate keys within
// any object and nesting beyond MaxDepth.
func checkKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object bool
		keys   map[string]bool
		expect bool // next string token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("json: %w", err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if len(stack) >= MaxDepth {
					return fmt.Errorf("json: nesting deeper than %d", MaxDepth)
				}
				if top != nil && top.object {
					top.expect = true
				}
				stack = append(stack, &frame{object: d == '{', keys: map[string]bool{}, expect: d == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if top.expect {
			k := tok.(string)
			if top.keys[k] {
				return fmt.Errorf("json: duplicate key %q", k)
			}
			top.keys[k] = true
			top.expect = false
			continue
		}
		top.expect = true
	}
}

// checkExactNames rejects object keys that differ from a field's JSON name
// only in case: encoding/json matches names case-insensitively, so
// "Product" would otherwise fill the field "product".
func checkExactNames(data []byte, t reflect.Type, ignoreUnknown bool) error {
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	w := namesWalker{ignoreUnknown: ignoreUnknown}
	return w.walk(tree, t, "")
}

type namesWalker struct{ ignoreUnknown bool }

func (w namesWalker) walk(node any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n := node.(type) {
	case map[string]any:
		if t.Kind() == reflect.Map {
			for k, v := range n {
				if err := w.walk(v, t.Elem(), path+"."+k); err != nil {
					return err
				}
			}
			return nil
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		return w.object(n, fieldsByName(t), path)
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for i, v := range n {
			if err := w.walk(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w namesWalker) object(n map[string]any, fields map[string]reflect.Type, path string) error {
	for k, v := range n {
		ft, ok := fields[k]
		if ok {
			if err := w.walk(v, ft, path+"."+k); err != nil {
				return err
			}
			continue
		}
		if !w.ignoreUnknown {
			return fmt.Errorf("json: unknown field %q at %s", k, pathOrRoot(path))
		}
		for name := range fields {
			if strings.EqualFold(name, k) {
				return fmt.Errorf("json: field %q at %s differs from %q only in case", k, pathOrRoot(path), name)
			}
		}
	}
	return nil
}

// fieldsByName maps each exported field's exact JSON name to its type.
func fieldsByName(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range fieldsByName(f.Type) {
				m[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

func pathOrRoot(p string) string {
	if p == "" {
		return "top level"
	}
	return strings.TrimPrefix(p, ".")
}
