package main

import (
	"fmt"
	"time"

	"signbox/ceremony"
	"signbox/policy"
	"signbox/vuln"
)

// releaseGate runs the vulnerability gate for a release plan: the SBOM is
// scanned against the feed imported in the workspace (refused if older
// than the policy's max_feed_age on the ceremony date), the recorded VEX
// decisions are applied with the policy's gate rules, and the verdict goes
// into the plan for the custodians to see.
func releaseGate(ws string, pol *policy.Policy, sbomPath, date string) (*ceremony.GateRecord, error) {
	day, err := ceremony.ParseDate(date)
	if err != nil {
		return nil, err
	}
	feed, err := vuln.OpenFeed(feedDir(ws), vuln.Freshness{CeremonyDate: day, MaxAge: pol.Release.MaxFeedAge.Duration})
	if err != nil {
		return nil, withHint(fmt.Errorf("vulnerability feed: %w", err), "import a current OSV snapshot with `signbox vuln import`")
	}
	bom, err := readSBOMFile(sbomPath)
	if err != nil {
		return nil, err
	}
	res, err := vuln.Scan(feed, bom)
	if err != nil {
		return nil, err
	}
	ds, err := vuln.LoadDecisions(triageDir(ws))
	if err != nil {
		return nil, err
	}
	vg := pol.Release.VulnGate
	sev, err := vuln.ParseSeverity(string(vg.BlockAt))
	if err != nil {
		return nil, err
	}
	g := vuln.Gate(res, ds, vuln.GatePolicy{
		BlockInTriage: vg.BlockInTriage, ExploitableNeedsResponse: vg.ExploitableNeedsResponse,
		BlockAtOrAbove: sev, AllowUnchecked: vg.AllowUnchecked,
	})
	return &ceremony.GateRecord{
		Verdict: string(g.Verdict), Blocking: len(g.Blocking), FindingsReviewed: g.FindingsReviewed,
		FeedDigest: g.FeedDigest, FeedCreated: feed.Info.Created.UTC().Format(time.RFC3339), DecisionsDigest: g.DecisionsDigest,
	}, nil
}
