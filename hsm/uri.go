package hsm

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// URI is a parsed RFC 7512 pkcs11: URI. Every attribute that names a
// library, slot or token is matched when a token is selected (Matches);
// object, id and type are for the callers that pick objects.
type URI struct {
	ModulePath string // query "module-path": absolute path of the PKCS#11 library
	Token      string // path "token": token label
	Serial     string // path "serial"
	SlotID     *uint  // path "slot-id"
	Object     string // path "object": key label (used by callers, not by Open)
	ID         []byte // path "id": key CKA_ID
	Type       string // path "type": object class (public, private, secret-key, cert, data)
	PINSource  string // query "pin-source": file holding the PIN
	// Token, slot and library attributes (RFC 7512 §2.3), matched against
	// CK_TOKEN_INFO, CK_SLOT_INFO and CK_INFO.
	Manufacturer, Model                                     string
	SlotDescription, SlotManufacturer                       string
	LibraryManufacturer, LibraryDescription, LibraryVersion string
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
	case "type":
		if !slices.Contains(objectTypes, v) {
			return fmt.Errorf("type %q: not one of %v (RFC 7512 §2.3)", v, objectTypes)
		}
		u.Type = v
	default:
		return u.setInfoAttr(k, v)
	}
	return nil
}

// objectTypes are the values RFC 7512 gives the "type" attribute.
var objectTypes = []string{"public", "private", "cert", "secret-key", "data"}

// setInfoAttr takes the attributes that name a token, slot or library.
func (u *URI) setInfoAttr(k, v string) error {
	dst := map[string]*string{
		"manufacturer": &u.Manufacturer, "model": &u.Model,
		"slot-description": &u.SlotDescription, "slot-manufacturer": &u.SlotManufacturer,
		"library-manufacturer": &u.LibraryManufacturer, "library-description": &u.LibraryDescription,
		"library-version": &u.LibraryVersion,
	}[k]
	if dst == nil {
		return unknownAttr(k)
	}
	if k == "library-version" {
		if _, _, err := parseLibraryVersion(v); err != nil {
			return err
		}
	}
	*dst = v
	return nil
}

// parseLibraryVersion reads RFC 7512's "M[.N]" library-version.
func parseLibraryVersion(v string) (major, minor byte, err error) {
	maj, mn, hasMinor := strings.Cut(v, ".")
	a, err1 := strconv.ParseUint(maj, 10, 8)
	b, err2 := uint64(0), error(nil)
	if hasMinor {
		b, err2 = strconv.ParseUint(mn, 10, 8)
	}
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("library-version %q: want M or M.N, decimal", v)
	}
	return byte(a), byte(b), nil
}

func (u *URI) setQuery(k, v string) error {
	switch k {
	case "module-path":
		if !filepath.IsAbs(v) {
			return fmt.Errorf("module-path %q: must be an absolute path", v)
		}
		u.ModulePath = v
	case "pin-source":
		p, err := pinSourcePath(v)
		if err != nil {
			return err
		}
		u.PINSource = p
	case "pin-value":
		return errPINValue
	case "module-name":
		return fmt.Errorf("module-name %q: signbox loads a PKCS#11 library only by its absolute module-path, never by a name looked up in a search path", v)
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
		// RFC 7512 §2.3: the id is binary, so every octet is
		// percent-encoded, as p11tool writes it.
		var id strings.Builder
		for _, c := range u.ID {
			fmt.Fprintf(&id, "%%%02X", c)
		}
		path = append(path, "id="+id.String())
	}
	for _, a := range [][2]string{{"type", u.Type}, {"manufacturer", u.Manufacturer}, {"model", u.Model},
		{"slot-description", u.SlotDescription}, {"slot-manufacturer", u.SlotManufacturer},
		{"library-manufacturer", u.LibraryManufacturer}, {"library-description", u.LibraryDescription},
		{"library-version", u.LibraryVersion}} {
		if a[1] != "" {
			add(a[0], a[1])
		}
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
