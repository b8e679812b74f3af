package audit

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fields builds a payload in signbox's canonical text form: one
// "key=value\n" line per pair, in the order given; a key may repeat (one
// line per approver, say). Keys are UTF-8 without '=', spaces or control
// characters; values are UTF-8 without control characters. The text form
// keeps `signbox audit show` readable for an auditor without a decoder.
func Fields(kv ...string) ([]byte, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("fields: odd number of arguments")
	}
	var b bytes.Buffer
	for i := 0; i < len(kv); i += 2 {
		k, v := kv[i], kv[i+1]
		if err := checkField(k, v); err != nil {
			return nil, err
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	if b.Len() > MaxPayload {
		return nil, fmt.Errorf("fields: payload is %d bytes, limit %d", b.Len(), MaxPayload)
	}
	return b.Bytes(), nil
}

// ParseFields splits a payload written by [Fields] into key, value pairs.
func ParseFields(p []byte) ([][2]string, error) {
	s := string(p)
	if s == "" {
		return nil, nil
	}
	if !strings.HasSuffix(s, "\n") {
		return nil, errors.New("fields: payload does not end in a newline")
	}
	var out [][2]string
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("fields: line %q has no '='", line)
		}
		if err := checkField(k, v); err != nil {
			return nil, err
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// Field returns the first value of key in a [Fields] payload, or "" and
// false.
func Field(p []byte, key string) (string, bool) {
	fs, err := ParseFields(p)
	if err != nil {
		return "", false
	}
	for _, f := range fs {
		if f[0] == key {
			return f[1], true
		}
	}
	return "", false
}

func checkField(k, v string) error {
	if k == "" {
		return errors.New("fields: empty key")
	}
	if !utf8.ValidString(k) || strings.ContainsFunc(k, func(r rune) bool { return r == '=' || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("fields: key %q: no '=', spaces or control characters allowed", k)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("fields: value of %q is not UTF-8", k)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("fields: value of %q contains control character %U", k, r)
		}
	}
	return nil
}

// reasonOf finds a refusal's reason in a [Fields] payload or a JSON object
// with "reason" or "error" (the device emulator records JSON events).
func reasonOf(p []byte) string {
	if r, ok := Field(p, "reason"); ok {
		return r
	}
	var obj struct {
		Reason string `json:"reason"`
		Error  string `json:"error"`
	}
	if json.Unmarshal(p, &obj) == nil {
		return cmp.Or(obj.Reason, obj.Error)
	}
	return ""
}
