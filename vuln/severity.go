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

// AtLeast reports whether s is at or above t. An unknown severity counts as
// critical: a finding nobody rated must not slip under a threshold.
func (s Severity) AtLeast(t Severity) bool {
	rs, ok := severityRank[s]
	if !ok {
		rs = severityRank[SeverityCritical]
	}
	return rs >= severityRank[t]
}

// Rating is a finding's severity and where it came from.
type Rating struct {
	Severity Severity `json:"severity"`
	Score    float64  `json:"score,omitempty"`  // CVSS base score when computed
	Vector   string   `json:"vector,omitempty"` // CVSS vector
	Method   string   `json:"method,omitempty"` // CycloneDX scoring method: CVSSv3, CVSSv31, CVSSv4, other
}

// rate derives the rating of a record: the CVSS v3 base score when a v3
// vector is present (computed, since OSV carries only vectors), otherwise
// the GHSA-style database_specific severity word, otherwise unknown. CVSS
// v4 vectors are carried but not scored (their scoring needs FIRST's
// macro-vector table); such findings rate as unknown unless a word is
// given, and unknown counts as critical at the gate.
func rate(r *Record, a *Affected) Rating {
	best := Rating{Severity: SeverityUnknown}
	scores := append(append([]Score(nil), r.Severity...), a.Severity...)
	for _, s := range scores {
		switch s.Type {
		case "CVSS_V3":
			score, err := cvss3Score(s.Score)
			if err != nil {
				continue
			}
			method := "CVSSv3"
			if strings.HasPrefix(s.Score, "CVSS:3.1/") {
				method = "CVSSv31"
			}
			rt := Rating{Severity: cvssSeverity(score), Score: score, Vector: s.Score, Method: method}
			if best.Score == 0 || score > best.Score {
				best = rt
			}
		case "CVSS_V4":
			if best.Vector == "" {
				best.Vector, best.Method = s.Score, "CVSSv4"
			}
		}
	}
	if best.Score == 0 && r.DatabaseSpecific != nil {
		word := strings.ToLower(r.DatabaseSpecific.Severity)
		if word == "moderate" {
			word = "medium"
		}
		if sv, err := ParseSeverity(word); err == nil && word != "" {
			best.Severity = sv
		}
	}
	return best
}

// cvssSeverity maps a base score to its qualitative rating (CVSS v3.1
// specification, section 5).
func cvssSeverity(score float64) Severity {
	switch {
	case score == 0:
		return SeverityNone
	case score < 4:
		return SeverityLow
	case score < 7:
		return SeverityMedium
	case score < 9:
		return SeverityHigh
	}
	return SeverityCritical
}

func maxRating(a, b Rating) Rating {
	ra, rb := severityRank[a.Severity], severityRank[b.Severity]
	if rb > ra || (rb == ra && (b.Score > a.Score || (a.Vector == "" && b.Vector != ""))) {
		return b
	}
	return a
}
