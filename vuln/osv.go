package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"
)

// Record is the subset of an OSV record (ossf/osv-schema docs/schema.md,
// 1.7) that matching, reporting and VEX need. It encodes back to valid OSV
// JSON, which is what the feed index stores.
type Record struct {
	ID         string      `json:"id"`
	Modified   string      `json:"modified"`
	Published  string      `json:"published,omitempty"`
	Withdrawn  string      `json:"withdrawn,omitempty"`
	Aliases    []string    `json:"aliases,omitempty"`
	Summary    string      `json:"summary,omitempty"`
	Severity   []Score     `json:"severity,omitempty"`
	Affected   []Affected  `json:"affected,omitempty"`
	References []Reference `json:"references,omitempty"`
	// DatabaseSpecific keeps only the GHSA-style severity word, the one
	// free-form field signbox reads.
	DatabaseSpecific *dbSpecific `json:"database_specific,omitempty"`
}

type dbSpecific struct {
	Severity string `json:"severity,omitempty"`
}

// Score is one OSV severity entry: a type and a vector string.
type Score struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Reference is one OSV reference.
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Affected is one affected[] entry.
type Affected struct {
	Package  Package  `json:"package"`
	Ranges   []Range  `json:"ranges,omitempty"`
	Versions []string `json:"versions,omitempty"`
	Severity []Score  `json:"severity,omitempty"`
}

// Package names the affected package.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Range is one affected range.
type Range struct {
	Type   string  `json:"type"`
	Repo   string  `json:"repo,omitempty"`
	Events []Event `json:"events"`
}

// Event is a range event: exactly one of its fields is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// UnmarshalJSON insists on exactly one known key with a non-empty string
// value. Events are tiny and numerous (12,000 in the Go feed), so the
// object is read directly rather than through a map; encoding/json has
// already checked that b is well-formed JSON.
func (e *Event) UnmarshalJSON(b []byte) error {
	key, val, err := oneMember(b)
	if err != nil {
		return err
	}
	if val == "" {
		return fmt.Errorf("event %q has an empty version", key)
	}
	switch key {
	case "introduced":
		e.Introduced = val
	case "fixed":
		e.Fixed = val
	case "last_affected":
		e.LastAffected = val
	case "limit":
		e.Limit = val
	default:
		return fmt.Errorf("unknown event %q", key)
	}
	return nil
}

// oneMember reads {"key": "value"} with exactly one member.
func oneMember(b []byte) (string, string, error) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return "", "", errors.New("event is not an object")
	}
	inner := bytes.TrimSpace(b[1 : len(b)-1])
	if len(inner) == 0 {
		return "", "", errors.New("event has no key, want exactly one")
	}
	key, rest, err := jsonString(inner)
	if err != nil {
		return "", "", err
	}
	rest = bytes.TrimSpace(rest)
	if len(rest) == 0 || rest[0] != ':' {
		return "", "", errors.New("event is not an object")
	}
	val, rest, err := jsonString(bytes.TrimSpace(rest[1:]))
	if err != nil {
		return "", "", fmt.Errorf("event %q: %w", key, err)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return "", "", errors.New("event has more than one key, want exactly one")
	}
	return key, val, nil
}

// jsonString reads one JSON string from the start of b.
func jsonString(b []byte) (string, []byte, error) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, errors.New("want a string")
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			var s string
			if err := json.Unmarshal(b[:i+1], &s); err != nil {
				return "", nil, err
			}
			return s, b[i+1:], nil
		}
	}
	return "", nil, errors.New("unterminated string")
}

// ErrMalformedRecord reports an OSV record that breaks the schema rules
// signbox relies on. The wrapping error names the record and the rule.
var ErrMalformedRecord = errors.New("malformed OSV record")

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// ParseRecord decodes and checks one OSV record. Unknown fields are
// ignored, as the schema requires of readers; everything matching depends
// on is checked.
func ParseRecord(data []byte) (*Record, error) {
	if len(data) > MaxRecordBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedRecord, len(data), MaxRecordBytes)
	}
	var r Record
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		var probe struct{ ID string }
		if json.Unmarshal(data, &probe) == nil && probe.ID != "" {
			return nil, fmt.Errorf("%w: %s: %w", ErrMalformedRecord, probe.ID, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrMalformedRecord, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrMalformedRecord)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedRecord, r.ID, err)
	}
	return &r, nil
}

func (r *Record) check() error {
	if !idPattern.MatchString(r.ID) {
		return fmt.Errorf("id %q is missing or not an OSV identifier", r.ID)
	}
	if _, err := time.Parse(time.RFC3339, r.Modified); err != nil {
		return fmt.Errorf("modified: %w", err)
	}
	if r.Withdrawn != "" {
		if _, err := time.Parse(time.RFC3339, r.Withdrawn); err != nil {
			return fmt.Errorf("withdrawn: %w", err)
		}
	}
	if len(r.Affected) > MaxAffected || len(r.Aliases) > MaxListItems || len(r.References) > MaxListItems {
		return errors.New("too many affected entries, aliases or references")
	}
	if err := checkScores(r.Severity); err != nil {
		return err
	}
	for i := range r.Affected {
		if err := r.Affected[i].check(); err != nil {
			return fmt.Errorf("affected[%d]: %w", i, err)
		}
	}
	return nil
}

func (a *Affected) check() error {
	onlyGit := len(a.Ranges) > 0
	for i := range a.Ranges {
		if err := a.Ranges[i].check(); err != nil {
			return fmt.Errorf("ranges[%d]: %w", i, err)
		}
		onlyGit = onlyGit && a.Ranges[i].Type == "GIT"
	}
	if !onlyGit && (a.Package.Ecosystem == "" || a.Package.Name == "") {
		return errors.New("package ecosystem and name are required beside non-GIT ranges or versions")
	}
	if err := checkScores(a.Severity); err != nil {
		return err
	}
	if len(a.Versions) > MaxListItems {
		return errors.New("too many versions")
	}
	for i, v := range a.Versions {
		if v == "" {
			return fmt.Errorf("versions[%d] is empty", i)
		}
	}
	return nil
}

func (rg *Range) check() error {
	switch rg.Type {
	case "SEMVER", "ECOSYSTEM":
	case "GIT":
		if rg.Repo == "" {
			return errors.New("GIT range without repo")
		}
	default:
		return fmt.Errorf("type %q is not SEMVER, ECOSYSTEM or GIT", rg.Type)
	}
	if len(rg.Events) == 0 || len(rg.Events) > MaxEvents {
		return fmt.Errorf("%d events", len(rg.Events))
	}
	var intro, fixed, last bool
	for _, e := range rg.Events {
		intro = intro || e.Introduced != ""
		fixed = fixed || e.Fixed != ""
		last = last || e.LastAffected != ""
	}
	if !intro {
		return errors.New("no introduced event")
	}
	if fixed && last {
		return errors.New("both fixed and last_affected in one range")
	}
	return nil
}
