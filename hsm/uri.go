package hsm

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// URI is a parsed RFC 7512 pkcs11: URI, restricted to what signbox uses.
type URI struct {
	ModulePath string // query "module-path": absolute path of the PKCS#11 library
	Token      string // path "token": token label
	Serial     string // path "serial"
	SlotID     *uint  // path "slot-id"
	Object     string // path "object": key label (used by callers, not by Open)
	ID         []byte // path "id": key CKA_ID
	PINSource  string // query "pin-source": file holding the PIN
}

// errPINValue is returned for a pin-value attribute: the PIN would leak into
// argv, shell history and logs.
var errPINValue = errors.New("pin-value in a pkcs11: URI is refused: a PIN in a URI leaks into argv, history and logs; use pin-source or a PIN prompt")

// ParseURI parses s strictly: unknown attributes (other than RFC 7512 "x-"
// vendor ones), repeated attributes and pin-value are errors.
func ParseURI(s string) (URI, error) {
	rest, ok := strings.CutPrefix(s, "pkcs11:")
	if !ok {
		return URI{}, fmt.Errorf("pkcs11 URI %q: must start with \"pkcs11:\"", s)
	}
	path, query, _ := strings.Cut(rest, "?")
	var u URI
	seen := map[string]bool{}
	if err := eachAttr(path, ";", seen, u.setPath); err != nil {
		return URI{}, fmt.Errorf("pkcs11 URI: %w", err)
	}
	if err := eachAttr(query, "&", seen, u.setQuery); err != nil {
		return URI{}, fmt.Errorf("pkcs11 URI: %w", err)
	}
	return u, nil
}

func eachAttr(part, sep string, seen map[string]bool, set func(k, v string) error) error {
	if part == "" {
		return nil
	}
	for _, kv := range strings.Split(part, sep) {
		k, raw, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("attribute %q: want name=value", kv)
		}
		if seen[k] {
			return fmt.Errorf("attribute %q given twice", k)
		}
		seen[k] = true
		v, err := url.PathUnescape(raw)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", k, err)
		}
		if err := set(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (u *URI) setPath(k, v string) error {
	switch k {
	case "token":
		u.Token = v
	case "serial":
		u.Serial = v
	case "object":
		u.Object = v
	case "id":
		u.ID = []byte(v)
	case "slot-id":
		n, err := strconv.ParseUint(v, 10, 0)
		if err != nil {
			return fmt.Errorf("slot-id %q: not a decimal number", v)
		}
		id := uint(n)
		u.SlotID = &id
	case "type", "manufacturer", "model", "library-manufacturer", "library-description",
		"library-version", "slot-description", "slot-manufacturer":
		// Valid RFC 7512 attributes that do not narrow anything signbox selects.
	default:
		return unknownAttr(k)
	}
	return nil
}

func (u *URI) setQuery(k, v string) error {
	switch k {
	case "module-path":
		if !filepath.IsAbs(v) {
			return fmt.Errorf("module-path %q: must be an absolute path", v)
		}
		u.ModulePath = v
	case "pin-source":
		u.PINSource = strings.TrimPrefix(v, "file://")
	case "pin-value":
		return errPINValue
	default:
		return unknownAttr(k)
	}
	return nil
}

func unknownAttr(k string) error {
	if strings.HasPrefix(k, "x-") {
		return nil
	}
	return fmt.Errorf("unknown attribute %q", k)
}

// String renders u canonically; it never contains a PIN.
func (u URI) String() string {
	var path []string
	add := func(k, v string) { path = append(path, k+"="+escapeAttr(v)) }
	if u.Token != "" {
		add("token", u.Token)
	}
	if u.Serial != "" {
		add("serial", u.Serial)
	}
	if u.SlotID != nil {
		add("slot-id", strconv.FormatUint(uint64(*u.SlotID), 10))
	}
	if u.Object != "" {
		add("object", u.Object)
	}
	if u.ID != nil {
		add("id", string(u.ID))
	}
	s := "pkcs11:" + strings.Join(path, ";")
	var q []string
	if u.ModulePath != "" {
		q = append(q, "module-path="+escapeAttr(u.ModulePath))
	}
	if u.PINSource != "" {
		q = append(q, "pin-source="+escapeAttr(u.PINSource))
	}
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return s
}

// escapeAttr percent-encodes everything outside RFC 7512's unreserved and
// path characters, so ';', '?', '&', '=' and '%' in values round-trip.
func escapeAttr(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isAttrChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~:[]@!$'()*+,/", c) >= 0
}
