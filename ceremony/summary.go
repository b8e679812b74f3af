package ceremony

import (
	"fmt"
	"strings"
)

// Summary is the read-only plan view custodians check before approving.
type Summary struct {
	ID, Kind, Date string
	Policy         string   // "acme-infusion serial 1 sha256:…"
	Lines          []string // what the ceremony does, one fact per line
	Inputs         []Input
	// Sections is every field of the canonical plan (Plan.Sections): what
	// the digest binds, shown whole.
	Sections  []Section
	Digest    string // sha256:…
	HexGroups string
	Words     []string
	Step      Step
}

// Summary describes the plan for people.
func (s *Session) Summary() Summary {
	p := s.plan
	return Summary{
		ID: p.ID, Kind: string(p.Kind), Date: p.Date,
		Policy: fmt.Sprintf("%s serial %d %s", p.Policy.Name, p.Policy.Serial, p.Policy.Digest),
		Lines:  planLines(p), Inputs: p.Inputs, Sections: p.Sections(),
		Digest: s.digest.String(), HexGroups: s.digest.HexGroups(), Words: s.digest.Words(), Step: s.step,
	}
}

func planLines(p *Plan) []string {
	var out []string
	keyLine := func(prefix string, k KeyRef) string {
		slot := ""
		if k.Slot >= 0 {
			slot = fmt.Sprintf(" slot %d", k.Slot)
		}
		fp := k.Fingerprint
		if fp == "" {
			fp = "(new)"
		}
		l := fmt.Sprintf("%s%s%s %s %s %s", prefix, k.Purpose, slot, k.Label, k.Algorithm, fp)
		if k.EFuseDigest != "" {
			l += " eFuse digest " + k.EFuseDigest
		}
		return l
	}
	switch {
	case p.Release != nil:
		r := p.Release
		out = append(out, fmt.Sprintf("release %s %s for %s", r.Product, r.Version, r.Chip),
			"security version "+r.SecurityVersion.String())
		if r.Image != nil {
			out = append(out, imagePlanLines(r.Image)...)
		} else {
			out = append(out, fmt.Sprintf("%s as built: project_name %s, version %s, secure_version %d (checked, not set)", InputApp, r.Product, r.Version, r.SecurityVersion.New),
				"signing appends Secure Boot V2 signatures only; no byte of the built images changes")
		}
		for _, k := range r.Keys {
			out = append(out, keyLine("sign with ", k))
		}
		if g := r.VulnGate; g != nil {
			out = append(out, fmt.Sprintf("vulnerability gate %s: %d findings reviewed, %d blocking", g.Verdict, g.FindingsReviewed, g.Blocking),
				"  feed "+g.FeedDigest+" created "+g.FeedCreated, "  decisions "+g.DecisionsDigest)
			for _, f := range g.Findings {
				out = append(out, "  "+f.Line())
			}
			if len(g.Quarantined) > 0 {
				out = append(out, fmt.Sprintf("  feed records quarantined at import: %d", len(g.Quarantined)))
				for _, q := range g.Quarantined {
					out = append(out, "    "+q)
				}
			}
		}
	case p.KeyGen != nil:
		for _, k := range p.KeyGen.Keys {
			out = append(out, keyLine("generate ", k))
		}
	case p.Revocation != nil:
		r := p.Revocation
		out = append(out, keyLine("revoke ", r.Key), "reason: "+r.Reason)
		for _, k := range r.Remaining {
			out = append(out, keyLine("remains ", k))
		}
		out = append(out, keyLine("record signed by ", r.SignedBy))
		out = append(out, r.StillBoot...)
	case p.PolicyChange != nil:
		c := p.PolicyChange
		out = append(out, fmt.Sprintf("policy %s → %s", c.Old.Digest, c.New.Digest))
		for _, ch := range c.Changes {
			out = append(out, ch.String())
		}
	}
	return out
}

// String renders the summary as text, the form `signbox ceremony show`
// prints.
func (sm Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ceremony  %s (%s)\ndate      %s\npolicy    %s\nstep      %s\n", sm.ID, sm.Kind, sm.Date, sm.Policy, sm.Step)
	for _, l := range sm.Lines {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	for _, in := range sm.Inputs {
		fmt.Fprintf(&b, "input     %s %s (%d bytes)\n", in.Name, in.SHA256, in.Size)
	}
	b.WriteString("every field the digest binds:\n")
	for _, sec := range sm.Sections {
		fmt.Fprintf(&b, "  [%s]\n", sec.Title)
		for _, r := range sec.Rows {
			fmt.Fprintf(&b, "    %s = %s\n", r.Path, r.Value)
		}
	}
	fmt.Fprintf(&b, "digest    %s\n          %s\nwords     ", sm.Digest, sm.HexGroups)
	for i, w := range sm.Words {
		sep := " "
		if i%8 == 7 && i != len(sm.Words)-1 {
			sep = "\n          "
		}
		if i == len(sm.Words)-1 {
			sep = "\n"
		}
		b.WriteString(w + sep)
	}
	return b.String()
}
