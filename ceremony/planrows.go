package ceremony

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// What the custodians see is what they sign: the plan pages are built from
// Rows, and Rows walks the plan's canonical bytes — the very bytes whose
// SHA-256 they approve — yielding every leaf. A field added to Plan is
// therefore shown without anyone writing a line of screen code for it;
// TestPlanRowsCoverCanonical checks this over random plans.

// Row is one leaf of the canonical plan.
type Row struct {
	Path  string // JSON path, e.g. "release.images[1].sha256"
	Item  string // the array element the row belongs to ("release.images[1]"), "" for none
	Label string // what the field is, for people
	Value string // the value exactly as bound ("none" for null, "(none)" for an empty list)
}

// Section is one titled group of rows: a plan page before it is cut to
// the terminal's height.
type Section struct {
	Title string
	Rows  []Row
}

// Rows walks p's canonical bytes and returns every leaf in encoding order.
func (p *Plan) Rows() []Row {
	rows, err := LeafRows(p.Canonical())
	if err != nil {
		panic("ceremony: canonical plan does not walk: " + err.Error()) // Canonical is json.Marshal output
	}
	return rows
}

// LeafRows walks a JSON document's tokens and yields one row per leaf
// (string, number, bool, null, empty array, empty object), in document
// order.
func LeafRows(doc []byte) ([]Row, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	w := walker{dec: dec}
	if err := w.value(""); err != nil {
		return nil, err
	}
	return w.rows, nil
}

type walker struct {
	dec  *json.Decoder
	rows []Row
	item string
}

func (w *walker) value(path string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return w.object(path)
		}
		return w.array(path)
	case nil:
		w.leaf(path, "none")
	case string:
		w.leaf(path, t)
	case json.Number:
		w.leaf(path, t.String())
	case bool:
		w.leaf(path, strconv.FormatBool(t))
	default:
		return fmt.Errorf("unexpected token %v at %s", tok, path)
	}
	return nil
}

func (w *walker) object(path string) error {
	n := 0
	for w.dec.More() {
		k, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, ok := k.(string)
		if !ok {
			return fmt.Errorf("object key %v at %s", k, path)
		}
		child := key
		if path != "" {
			child = path + "." + key
		}
		if err := w.value(child); err != nil {
			return err
		}
		n++
	}
	if _, err := w.dec.Token(); err != nil { // '}'
		return err
	}
	if n == 0 {
		w.leaf(path, "(none)")
	}
	return nil
}

func (w *walker) array(path string) error {
	n := 0
	outer := w.item
	for w.dec.More() {
		elem := fmt.Sprintf("%s[%d]", path, n)
		w.item = elem
		if err := w.value(elem); err != nil {
			return err
		}
		n++
	}
	w.item = outer
	if _, err := w.dec.Token(); err != nil { // ']'
		return err
	}
	if n == 0 {
		w.leaf(path, "(none)")
	}
	return nil
}

func (w *walker) leaf(path, value string) {
	w.rows = append(w.rows, Row{Path: path, Item: w.item, Label: labelOf(path), Value: value})
}

// labels name the fields whose JSON key alone would not say enough to a
// custodian. Any other field is labelled by its key.
var labels = map[string]string{
	"fingerprint":      "SPKI SHA-256 fingerprint",
	"efuse_digest":     "eFuse key digest (SHA-256 of the SBV2 key block)",
	"sha256":           "SHA-256",
	"digest":           "digest (SHA-256)",
	"feed_digest":      "OSV feed digest (SHA-256)",
	"decisions_digest": "decisions file digest (SHA-256)",
	"size":             "size in bytes",
	"old":              "old",
	"new":              "new",
	"secure_version":   "secure_version (anti-rollback)",
	"entered_by":       "entered by (operator, approved by the quorum)",
	"at":               "decided at",
	"relaxes":          "RELAXES",
	"still_boot":       "devices that will still boot",
}

func labelOf(path string) string {
	key := path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		key = path[i+1:]
	}
	// an element of a list of scalars ("aliases[0]") is labelled by the list
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	if l, ok := labels[key]; ok {
		return l
	}
	return strings.ReplaceAll(key, "_", " ")
}

// sectionTitles groups rows by path prefix; the longest prefix wins. A
// field under a prefix not listed here gets a section of its own named
// by its top-level key, so it is still shown.
var sectionTitles = []struct{ prefix, title string }{
	{"", "Ceremony"},
	{"policy", "Policy in force"},
	{"inputs", "Inputs (bound by SHA-256)"},
	{"release", "Release"},
	{"release.images", "Images as built (signing appends signatures only)"},
	{"release.keys", "Signing keys"},
	{"release.vuln_gate", "Vulnerability gate"},
	{"release.vuln_gate.findings", "Findings and their decisions (exploitable and resolved first)"},
	{"key_generation", "Keys to generate"},
	{"key_revocation", "Key revocation"},
	{"key_revocation.remaining", "Slots that stay active"},
	{"policy_change", "Policy change"},
	{"policy_change.changes", "Policy change, field by field"},
}

// Sections groups the plan's rows into titled sections, in plan order;
// every row is in exactly one section.
func (p *Plan) Sections() []Section { return SectionsOf(p.Rows()) }

// SectionsOf groups rows as Sections does.
func SectionsOf(rows []Row) []Section {
	var out []Section
	for _, r := range rows {
		t := sectionOf(r.Path)
		if len(out) == 0 || out[len(out)-1].Title != t {
			out = append(out, Section{Title: t})
		}
		out[len(out)-1].Rows = append(out[len(out)-1].Rows, r)
	}
	return out
}

func sectionOf(path string) string {
	best, title := -1, ""
	for _, s := range sectionTitles {
		if s.prefix == "" || hasPathPrefix(path, s.prefix) {
			if len(s.prefix) > best {
				best, title = len(s.prefix), s.title
			}
		}
	}
	if best == 0 && strings.ContainsAny(path, ".[") {
		top := path[:strings.IndexAny(path, ".[")]
		return strings.ReplaceAll(top, "_", " ")
	}
	return title
}

func hasPathPrefix(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	rest := path[len(prefix):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}
