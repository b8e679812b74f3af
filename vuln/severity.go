package vuln

import (
	"fmt"
	"strings"
)

// Severity is a CycloneDX severity word, ordered.
type Severity string

const (
	SeverityUnknown  Severity = "unknown"
	SeverityNone     Severity = "none"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

var severityRank = map[Severity]int{SeverityNone: 1, SeverityLow: 2, SeverityMedium: 3, SeverityHigh: 4, SeverityCritical: 5}

// ParseSeverity accepts a CycloneDX severity word.
func ParseSeverity(s string) (Severity, error) {
	sv := Severity(strings.ToLower(s))
	if _, ok := severityRank[sv]; ok || sv == SeverityUnknown {
		return sv, nil
	}
	return "", fmt.Errorf("severity %q is not one of none, low, medium, high, critical, unknown", s)
}

// AtLeast reports whether s is at or above t. An unknown severity is at
// or above nothing, and nothing is at or above it: the gate rules an
// unknown severity by its own policy rule
// ([GatePolicy].AllowUnknownSeverity), never as if it were a known one.
func (s Severity) AtLeast(t Severity) bool {
	rs, ok := severityRank[s]
	rt, okt := severityRank[t]
	return ok && okt && rs >= rt
}

// Rating is a finding's severity and where it came from.
type Rating struct {
	Severity Severity `json:"severity"`
	Score    float64  `json:"score,omitempty"`  // CVSS score when computed
	Vector   string   `json:"vector,omitempty"` // CVSS vector
	Method   string   `json:"method,omitempty"` // CycloneDX scoring method: CVSSv2, CVSSv3, CVSSv31, CVSSv4
}

// rate derives the rating of a record: the highest-rated of its and the
// affected entry's CVSS v2, v3.0, v3.1 and v4.0 vectors, otherwise the
// GHSA-style database_specific severity word, otherwise unknown. An
// invalid vector is an error naming the record and the vector: import
// refuses such records, so only an index written by an older build can
// still hold one, and the scan stops rather than guess a severity.
func rate(r *Record, a *Affected) (Rating, error) {
	best, scored := Rating{Severity: SeverityUnknown}, false
	for _, s := range append(append([]Score(nil), r.Severity...), a.Severity...) {
		if !cvssTypes[s.Type] {
			continue
		}
		c, err := ParseCVSS(s.Type, s.Score)
		if err != nil {
			return Rating{}, fmt.Errorf("%s: %w", r.ID, err)
		}
		rt := Rating{Severity: c.Severity, Score: c.Score, Vector: c.Vector, Method: c.Method}
		if !scored || higher(rt, best) {
			best, scored = rt, true
		}
	}
	if !scored && r.DatabaseSpecific != nil {
		word := strings.ToLower(r.DatabaseSpecific.Severity)
		if word == "moderate" {
			word = "medium"
		}
		if sv, err := ParseSeverity(word); err == nil && word != "" {
			best.Severity = sv
		}
	}
	return best, nil
}

// higher orders ratings by severity, then score.
func higher(a, b Rating) bool {
	ra, rb := severityRank[a.Severity], severityRank[b.Severity]
	return ra > rb || (ra == rb && a.Score > b.Score)
}

func maxRating(a, b Rating) Rating {
	ra, rb := severityRank[a.Severity], severityRank[b.Severity]
	if rb > ra || (rb == ra && (b.Score > a.Score || (a.Vector == "" && b.Vector != ""))) {
		return b
	}
	return a
}
