package vuln

import (
	"errors"
	"fmt"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// ErrInvalidVector reports an OSV severity entry whose score is not a
// valid vector of its CVSS type. Such a vector is refused, never turned
// into a severity.
var ErrInvalidVector = errors.New("invalid CVSS vector")

// CVSS is one scored CVSS vector.
type CVSS struct {
	Vector   string
	Score    float64  // the base score (v2, v3.x); the v4.0 score of the metrics given
	Severity Severity // the specification's qualitative rating of Score
	Method   string   // CycloneDX scoring method: CVSSv2, CVSSv3, CVSSv31, CVSSv4
}

// cvssTypes are the OSV severity types that carry CVSS vectors. Other
// types (Ubuntu's priority words, future ones) are not scores signbox
// reads.
var cvssTypes = map[string]bool{"CVSS_V2": true, "CVSS_V3": true, "CVSS_V4": true}

// ParseCVSS scores the vector of an OSV severity entry of type typ
// (CVSS_V2, CVSS_V3 or CVSS_V4) with github.com/pandatix/go-cvss. A
// CVSS_V3 entry may hold a v3.0 or v3.1 vector; a CVSS_V2 entry holds the
// bare v2 vector ("AV:N/AC:L/Au:N/C:P/I:P/A:P"), as OSV writes it.
func ParseCVSS(typ, vector string) (CVSS, error) {
	if len(vector) > MaxVectorBytes {
		return CVSS{}, fmt.Errorf("%w: %s vector of %d bytes, more than %d", ErrInvalidVector, typ, len(vector), MaxVectorBytes)
	}
	c, err := parseCVSS(typ, vector)
	if err != nil {
		return CVSS{}, fmt.Errorf("%w: %s vector %q: %w", ErrInvalidVector, typ, vector, err)
	}
	if c.Score < 0 || c.Score > 10 {
		return CVSS{}, fmt.Errorf("%w: %s vector %q scores %v, outside 0-10", ErrInvalidVector, typ, vector, c.Score)
	}
	c.Vector = vector
	return c, nil
}

func parseCVSS(typ, vector string) (CVSS, error) {
	switch {
	case typ == "CVSS_V2":
		v, err := gocvss20.ParseVector(vector)
		if err != nil {
			return CVSS{}, err
		}
		s := v.BaseScore()
		return CVSS{Score: s, Severity: cvss2Severity(s), Method: "CVSSv2"}, nil
	case typ == "CVSS_V3" && strings.HasPrefix(vector, "CVSS:3.0/"):
		v, err := gocvss30.ParseVector(vector)
		if err != nil {
			return CVSS{}, err
		}
		return scored(v.BaseScore(), "CVSSv3"), nil
	case typ == "CVSS_V3" && strings.HasPrefix(vector, "CVSS:3.1/"):
		v, err := gocvss31.ParseVector(vector)
		if err != nil {
			return CVSS{}, err
		}
		return scored(v.BaseScore(), "CVSSv31"), nil
	case typ == "CVSS_V3":
		return CVSS{}, errors.New("not a CVSS v3.0 or v3.1 vector")
	case typ == "CVSS_V4":
		v, err := gocvss40.ParseVector(vector)
		if err != nil {
			return CVSS{}, err
		}
		return scored(v.Score(), "CVSSv4"), nil
	}
	return CVSS{}, fmt.Errorf("severity type %q is not CVSS_V2, CVSS_V3 or CVSS_V4", typ)
}

func scored(score float64, method string) CVSS {
	return CVSS{Score: score, Severity: cvssSeverity(score), Method: method}
}

// cvssSeverity maps a v3.x or v4.0 score to its qualitative rating (CVSS
// v3.1 specification section 5; CVSS v4.0 specification section 6).
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

// cvss2Severity maps a v2 base score to NVD's v2 rating: low 0.0-3.9,
// medium 4.0-6.9, high 7.0-10.0. CVSS v2 has no "none" and no "critical".
func cvss2Severity(score float64) Severity {
	switch {
	case score < 4:
		return SeverityLow
	case score < 7:
		return SeverityMedium
	}
	return SeverityHigh
}

// checkScores refuses invalid vectors in a record's severity entries, so
// that a feed with one is refused at import, naming record and vector.
func checkScores(scores []Score) error {
	for i, s := range scores {
		if !cvssTypes[s.Type] {
			continue
		}
		if _, err := ParseCVSS(s.Type, s.Score); err != nil {
			return fmt.Errorf("severity[%d]: %w", i, err)
		}
	}
	return nil
}
