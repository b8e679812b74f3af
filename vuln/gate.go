package vuln

import (
	"fmt"
	"strings"

	"signbox/sbom"
)

// GatePolicy is the release gate's part of the policy. Every finding needs
// a decision; the fields add what a decision must say.
type GatePolicy struct {
	// BlockInTriage refuses findings whose decision is still in_triage.
	BlockInTriage bool
	// ExploitableNeedsResponse refuses exploitable findings without a
	// response (update, workaround_available, ...).
	ExploitableNeedsResponse bool
	// BlockAtOrAbove, if set, refuses exploitable or in_triage findings of
	// this severity or higher whatever their response. Unknown severity
	// counts as critical.
	BlockAtOrAbove Severity
	// AllowUnchecked lets components that were not scanned (no version, no
	// purl, or an ecosystem the feed lacks) pass; otherwise each blocks.
	AllowUnchecked bool
}

// Verdict is the gate's answer.
type Verdict string

const (
	VerdictPass  Verdict = "pass"
	VerdictBlock Verdict = "block"
)

// Blocker is one reason the release may not proceed.
type Blocker struct {
	Finding   *Finding          `json:"finding,omitempty"`
	Unchecked *sbom.Unscannable `json:"unchecked,omitempty"`
	Decision  *Decision         `json:"decision,omitempty"`
	Reason    string            `json:"reason"`
}

func (b Blocker) String() string {
	if b.Finding != nil {
		return fmt.Sprintf("%s in %s: %s", b.Finding.ID, b.Finding.Component.Key(), b.Reason)
	}
	return fmt.Sprintf("%s: %s", b.Unchecked.Path, b.Reason)
}

// GateResult is the gate's typed verdict. Stale decisions match no current
// finding; they do not block but are shown, since they may be typos.
type GateResult struct {
	Verdict          Verdict    `json:"verdict"`
	Blocking         []Blocker  `json:"blocking,omitempty"`
	Stale            []Decision `json:"stale,omitempty"`
	DecisionsDigest  string     `json:"decisions_digest"`
	FeedDigest       string     `json:"feed_digest"`
	FindingsReviewed int        `json:"findings_reviewed"`
}

// Pass reports whether the release may proceed.
func (g GateResult) Pass() bool { return g.Verdict == VerdictPass }

// Gate applies the policy to a scan and its decisions.
func Gate(res *Result, ds *Decisions, p GatePolicy) GateResult {
	g := GateResult{DecisionsDigest: ds.Digest(), FeedDigest: res.FeedDigest, FindingsReviewed: len(res.Findings)}
	used := map[string]bool{}
	for i := range res.Findings {
		f := &res.Findings[i]
		d, ok := ds.For(*f)
		if !ok {
			g.Blocking = append(g.Blocking, Blocker{Finding: f, Reason: "no triage decision"})
			continue
		}
		used[d.key()] = true
		if why := p.blocks(f, d); why != "" {
			g.Blocking = append(g.Blocking, Blocker{Finding: f, Decision: &d, Reason: why})
		}
	}
	if !p.AllowUnchecked {
		g.Blocking = append(g.Blocking, unchecked(res)...)
	}
	for _, d := range ds.All() {
		if !used[d.key()] {
			g.Stale = append(g.Stale, d)
		}
	}
	g.Verdict = VerdictPass
	if len(g.Blocking) > 0 {
		g.Verdict = VerdictBlock
	}
	return g
}

func (p GatePolicy) blocks(f *Finding, d Decision) string {
	var why []string
	if d.State == StateInTriage && p.BlockInTriage {
		why = append(why, "still in_triage")
	}
	if d.State == StateExploitable && len(d.Responses) == 0 && p.ExploitableNeedsResponse {
		why = append(why, "exploitable without a response")
	}
	open := d.State == StateExploitable || d.State == StateInTriage
	if open && p.BlockAtOrAbove != "" && f.Rating.Severity.AtLeast(p.BlockAtOrAbove) {
		why = append(why, fmt.Sprintf("%s and %s severity (policy blocks %s and above)", d.State, f.Rating.Severity, p.BlockAtOrAbove))
	}
	return strings.Join(why, "; ")
}

func unchecked(res *Result) []Blocker {
	var out []Blocker
	for i := range res.Unscannable {
		out = append(out, Blocker{Unchecked: &res.Unscannable[i], Reason: "not scanned: " + res.Unscannable[i].Reason})
	}
	for _, c := range res.Uncovered {
		u := sbom.Unscannable{Ref: c.Ref, Path: c.Path, Name: c.Name, Version: c.Written, PURL: c.PURL,
			Reason: "the feed has no " + c.Ecosystem + " records"}
		out = append(out, Blocker{Unchecked: &u, Reason: "not scanned: " + u.Reason})
	}
	return out
}
