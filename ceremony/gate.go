package ceremony

import (
	"fmt"
	"slices"
	"strings"
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
	// Findings is every finding of the scan with the decision the gate
	// weighed, exploitable first, then resolved, then the rest: the quorum
	// approves each decision by approving the plan (docs/ARCHITECTURE.md,
	// "Triage decisions are approved in the plan").
	Findings []FindingRecord `json:"findings"`
	// Quarantined lists the feed records import set aside, each with its
	// reason ("ID (zip): reason"): custodians see what the feed could not
	// check.
	Quarantined []string `json:"quarantined,omitempty"`
}

// FindingRecord is one finding and its triage decision as the plan binds
// them. EnteredBy is who typed the decision in (the workspace operator);
// the decision's authority is the quorum that approves the plan.
type FindingRecord struct {
	Advisory      string   `json:"advisory"`  // OSV id
	Aliases       []string `json:"aliases"`   // CVE and other ids
	Component     string   `json:"component"` // name@version as in the SBOM
	Severity      string   `json:"severity"`
	State         string   `json:"state"` // "" when undecided
	Justification string   `json:"justification"`
	Responses     []string `json:"responses"`
	Detail        string   `json:"detail"`
	EnteredBy     string   `json:"entered_by"`
	At            string   `json:"at"`                 // RFC 3339
	Blocking      string   `json:"blocking,omitempty"` // why the gate blocks on it
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

// Line is the finding and its decision on one line.
func (f FindingRecord) Line() string {
	ids := f.Advisory
	if len(f.Aliases) > 0 {
		ids += " (" + strings.Join(f.Aliases, ", ") + ")"
	}
	state := f.State
	if state == "" {
		state = "undecided"
	}
	l := fmt.Sprintf("%s %s %s: %s", ids, f.Component, f.Severity, state)
	if f.Justification != "" {
		l += " " + f.Justification
	}
	if len(f.Responses) > 0 {
		l += " response " + strings.Join(f.Responses, ",")
	}
	if f.EnteredBy != "" {
		l += " entered by " + f.EnteredBy + " " + f.At
	}
	return l
}

// stateOrder puts the findings a custodian must weigh first: exploitable,
// then resolved (the claims that the fix is in), then the rest.
var stateOrder = map[string]int{"exploitable": 0, "resolved": 1, "resolved_with_pedigree": 2, "in_triage": 3, "": 4}

// SortFindings orders findings for the plan: by state (exploitable,
// resolved first), then advisory and component.
func SortFindings(fs []FindingRecord) {
	rank := func(s string) int {
		if r, ok := stateOrder[s]; ok {
			return r
		}
		return 5
	}
	slices.SortStableFunc(fs, func(a, b FindingRecord) int {
		if c := rank(a.State) - rank(b.State); c != 0 {
			return c
		}
		if c := strings.Compare(a.Advisory, b.Advisory); c != 0 {
			return c
		}
		return strings.Compare(a.Component, b.Component)
	})
}
