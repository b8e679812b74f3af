package ceremony

import (
	"fmt"
	"time"
)

// GateRecord is the vulnerability gate's verdict as the plan binds it. The
// cmd glue runs vuln.Gate against the imported feed and the recorded VEX
// decisions and fills this in; ceremony does not import vuln. Custodians
// see the digests and counts; EvaluatePolicy refuses anything but a pass
// and a feed older than the policy's max_feed_age on the ceremony date.
type GateRecord struct {
	Verdict          string `json:"verdict"` // "pass" or "fail"
	Blocking         int    `json:"blocking"`
	FindingsReviewed int    `json:"findings_reviewed"`
	FeedDigest       string `json:"feed_digest"`
	FeedCreated      string `json:"feed_created"` // RFC 3339, from the feed manifest
	DecisionsDigest  string `json:"decisions_digest"`
	// Quarantined lists the feed records import set aside, each with its
	// reason ("ID (zip): reason"): custodians see what the feed could not
	// check.
	Quarantined []string `json:"quarantined,omitempty"`
}

// checkGate applies the release rules the gate record answers to.
func checkGate(g *GateRecord, date string, maxAge time.Duration) (string, error) {
	if g == nil {
		return "", fmt.Errorf("%w: no vulnerability gate result; scan the SBOM against the imported feed first (release.vuln_gate)", ErrPolicyDenied)
	}
	if g.Verdict != "pass" {
		return "", fmt.Errorf("%w: vulnerability gate verdict is %q with %d blocking findings", ErrPolicyDenied, g.Verdict, g.Blocking)
	}
	created, err := time.Parse(time.RFC3339, g.FeedCreated)
	if err != nil {
		return "", fmt.Errorf("vulnerability gate: feed_created %q is not RFC 3339", g.FeedCreated)
	}
	day, err := ParseDate(date)
	if err != nil {
		return "", err
	}
	if age := day.Sub(created); age > maxAge {
		return "", fmt.Errorf("%w: the OSV feed was created %s, %.1f days before the ceremony date %s; the policy allows %.1f days (release.max_feed_age)",
			ErrPolicyDenied, g.FeedCreated, age.Hours()/24, date, maxAge.Hours()/24)
	}
	return fmt.Sprintf("vulnerability gate passed: %d findings reviewed, feed %s of %s", g.FindingsReviewed, g.FeedDigest, g.FeedCreated), nil
}
