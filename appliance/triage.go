package appliance

import (
	"fmt"
	"os"
	"time"

	"signbox/ceremony"
	"signbox/policy"
	"signbox/sbom"
	"signbox/vuln"
)

// Triage is one scan of a request's SBOM with the recorded decisions and
// the policy gate's verdict.
type Triage struct {
	Feed      *vuln.Feed
	SBOM      *sbom.SBOM
	Result    *vuln.Result
	Decisions *vuln.Decisions
	Gate      vuln.GateResult
}

// Record is the gate verdict as the ceremony plan binds it.
func (t *Triage) Record() *ceremony.GateRecord {
	r := &ceremony.GateRecord{
		Verdict: string(t.Gate.Verdict), Blocking: len(t.Gate.Blocking), FindingsReviewed: t.Gate.FindingsReviewed,
		FeedDigest: t.Gate.FeedDigest, FeedCreated: t.Feed.Info.Created.UTC().Format(time.RFC3339),
		DecisionsDigest: t.Gate.DecisionsDigest, Findings: t.findingRecords(),
	}
	for _, q := range t.Feed.Info.Quarantined {
		r.Quarantined = append(r.Quarantined, q.String())
	}
	return r
}

// findingRecords is every finding of the scan with its decision, as the
// plan binds them (ceremony.SortFindings order).
func (t *Triage) findingRecords() []ceremony.FindingRecord {
	blocking := map[string]string{}
	for _, b := range t.Gate.Blocking {
		if b.Finding != nil {
			blocking[b.Finding.Key()] = b.Reason
		}
	}
	out := []ceremony.FindingRecord{}
	for _, f := range t.Result.Findings {
		r := ceremony.FindingRecord{Advisory: f.ID, Aliases: append([]string{}, f.Aliases...), Component: f.Component.Name + "@" + f.Component.Version,
			Severity: string(f.Rating.Severity), Responses: []string{}, Blocking: blocking[f.Key()]}
		if d, ok := t.Decisions.For(f); ok {
			r.State, r.Justification, r.Detail = string(d.State), d.Justification, d.Detail
			r.Responses = append(r.Responses, d.Responses...)
			r.EnteredBy, r.At = d.By, d.At.UTC().Format(time.RFC3339)
		}
		out = append(out, r)
	}
	ceremony.SortFindings(out)
	return out
}

// RunTriage scans sbomPath against the workspace's feed (refused if older
// than the policy's max_feed_age on the ceremony date) and applies the
// recorded VEX decisions with the policy's gate rules.
func RunTriage(root string, p *policy.Policy, sbomPath, date string) (*Triage, error) {
	day, err := ceremony.ParseDate(date)
	if err != nil {
		return nil, err
	}
	feed, err := vuln.OpenFeed(FeedDir(root), vuln.Freshness{CeremonyDate: day, MaxAge: p.Release.MaxFeedAge.Duration})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFeed, err)
	}
	bom, err := ReadSBOM(sbomPath)
	if err != nil {
		return nil, err
	}
	res, err := vuln.Scan(feed, bom)
	if err != nil {
		return nil, err
	}
	ds, err := vuln.LoadDecisions(TriageDir(root))
	if err != nil {
		return nil, err
	}
	gp, err := GatePolicy(p)
	if err != nil {
		return nil, err
	}
	return &Triage{Feed: feed, SBOM: bom, Result: res, Decisions: ds, Gate: vuln.Gate(res, ds, gp)}, nil
}

// GatePolicy is the policy's vulnerability gate in vuln's terms.
func GatePolicy(p *policy.Policy) (vuln.GatePolicy, error) {
	vg := p.Release.VulnGate
	sev, err := vuln.ParseSeverity(string(vg.BlockAt))
	if err != nil {
		return vuln.GatePolicy{}, fmt.Errorf("policy release.vuln_gate.block_at: %w", err)
	}
	return vuln.GatePolicy{
		BlockInTriage: vg.BlockInTriage, BlockAtOrAbove: sev,
		AllowUnknownSeverity: vg.UnknownSeverity.Allows(), AllowUnchecked: vg.AllowUnchecked,
		AllowUnevaluated: vg.CouldNotEvaluate.Allows(),
	}, nil
}

// ReadSBOM reads a CycloneDX SBOM file (JSON or XML).
func ReadSBOM(path string) (*sbom.SBOM, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := sbom.Read(f, sbom.FormatAuto)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
