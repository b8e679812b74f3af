package vuln

import (
	"fmt"
	"strings"

	"signbox/sbom"
)

// GatePolicy is the release gate's part of the policy. Every finding needs
// a decision that passes [Decision.Check] (so exploitable always carries a
// response), and resolved needs the fixed version in the SBOM
// ([CheckResolved]); the fields add what an open finding may be.
type GatePolicy struct {
	// BlockInTriage refuses findings whose decision is still in_triage.
	BlockInTriage bool
	// BlockAtOrAbove, if set, refuses open findings (exploitable,
	// in_triage, or resolved without the fix in the SBOM) of this severity
	// or higher whatever their response. An unknown severity is not
	// ranked: AllowUnknownSeverity decides it.
	BlockAtOrAbove Severity
	// AllowUnknownSeverity lets open findings whose advisory has no usable
	// score (no valid CVSS vector, no severity word) pass; by default each
	// blocks, by the rule unknown_severity.
	AllowUnknownSeverity bool
	// AllowUnchecked lets components that were not scanned (no version, no
	// purl, or an ecosystem the feed lacks) or not checked against a
	// quarantined feed record pass; otherwise each blocks.
	AllowUnchecked bool
	// AllowUnevaluated lets open findings that could not be evaluated (a
	// version on either side that cannot be parsed or ordered) pass; by
	// default each blocks, by the rule could_not_evaluate, as an unknown
	// severity does. A decision that closes the finding (not_affected,
	// false_positive, resolved with the fix) is a person's judgement and
	// passes either way.
	AllowUnevaluated bool
}

// The gate's rules, named in every [Blocker]. The policy-driven ones carry
// the name of their field under the policy's release.vuln_gate.
const (
	RuleNoDecision      = "decision_required"
	RuleDecisionInvalid = "decision_consistent"
	RuleResolved        = "resolved_needs_fix"
	RuleInTriage        = "block_in_triage"
	RuleBlockAt         = "block_at"
	RuleUnknownSeverity = "unknown_severity"
	RuleUnchecked       = "allow_unchecked"
	RuleUnevaluated     = "could_not_evaluate"
)

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
	Rules     []string          `json:"rules"` // the rules that block, in the order of Reason
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
			g.Blocking = append(g.Blocking, Blocker{Finding: f, Rules: []string{RuleNoDecision}, Reason: "no triage decision"})
			continue
		}
		used[d.key()] = true
		if rs := p.blocks(f, d); len(rs) > 0 {
			g.Blocking = append(g.Blocking, blocker(f, d, rs))
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

// ruling is one rule that blocks a finding, and why.
type ruling struct{ rule, why string }

func blocker(f *Finding, d Decision, rs []ruling) Blocker {
	b := Blocker{Finding: f, Decision: &d}
	why := make([]string, len(rs))
	for i, r := range rs {
		b.Rules = append(b.Rules, r.rule)
		why[i] = r.why
	}
	b.Reason = strings.Join(why, "; ")
	return b
}

func (p GatePolicy) blocks(f *Finding, d Decision) []ruling {
	resolvedErr := CheckResolved(f, d.State)
	if errs := d.problems(); len(errs) > 0 {
		// A decision that contradicts itself says nothing the other rules
		// could weigh; it blocks on its own, with the SBOM's word on a
		// resolved claim beside it.
		rs := []ruling{{RuleDecisionInvalid, "decision refused: " + joinProblems(errs)}}
		if resolvedErr != nil {
			rs = append(rs, ruling{RuleResolved, resolvedErr.Error()})
		}
		return rs
	}
	var rs []ruling
	state := string(d.State)
	if resolvedErr != nil {
		rs = append(rs, ruling{RuleResolved, resolvedErr.Error() + "; treated as open"})
		state = "open"
	}
	if d.State == StateInTriage && p.BlockInTriage {
		rs = append(rs, ruling{RuleInTriage, "still in_triage"})
	}
	if state == "open" || d.State == StateExploitable || d.State == StateInTriage {
		if f.Unevaluated != "" && !p.AllowUnevaluated {
			rs = append(rs, ruling{RuleUnevaluated, fmt.Sprintf("%s and could not be evaluated: %s (policy could_not_evaluate: block)", state, f.Unevaluated)})
		}
		rs = append(rs, p.severity(f, state)...)
	}
	return rs
}

// severity applies the severity rules to an open finding.
func (p GatePolicy) severity(f *Finding, state string) []ruling {
	sev := f.Rating.Severity
	switch {
	case sev == SeverityUnknown && !p.AllowUnknownSeverity:
		return []ruling{{RuleUnknownSeverity, fmt.Sprintf("%s and unknown severity: the advisory has no usable CVSS vector or severity word (policy unknown_severity: block)", state)}}
	case p.BlockAtOrAbove != "" && sev.AtLeast(p.BlockAtOrAbove):
		return []ruling{{RuleBlockAt, fmt.Sprintf("%s and %s severity (policy blocks %s and above)", state, sev, p.BlockAtOrAbove)}}
	}
	return nil
}

func unchecked(res *Result) []Blocker {
	var out []Blocker
	for i := range res.Unscannable {
		out = append(out, Blocker{Unchecked: &res.Unscannable[i], Rules: []string{RuleUnchecked}, Reason: "not scanned: " + res.Unscannable[i].Reason})
	}
	for _, c := range res.Uncovered {
		u := sbom.Unscannable{Ref: c.Ref, Path: c.Path, Name: c.Name, Version: c.Written, PURL: c.PURL,
			Reason: "the feed has no " + c.Ecosystem + " records"}
		out = append(out, Blocker{Unchecked: &u, Rules: []string{RuleUnchecked}, Reason: "not scanned: " + u.Reason})
	}
	for _, h := range res.Quarantined {
		u := h.unscannable()
		out = append(out, Blocker{Unchecked: &u, Rules: []string{RuleUnchecked}, Reason: u.Reason})
	}
	return out
}
