package vuln

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ReportInfo is what the readable report needs beyond the scan.
type ReportInfo struct {
	Title string    // e.g. "infusion-pump 2.1.0"
	SBOM  string    // the SBOM's name or digest
	Date  time.Time // the ceremony date
}

// WriteReport writes a Markdown report for the submission: the feed, the
// gate verdict and its blockers, every finding with its decision, and
// every component that was not checked.
func WriteReport(w io.Writer, res *Result, ds *Decisions, g GateResult, info ReportInfo) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# Vulnerability report: %s\n\n", md(info.Title))
	fmt.Fprintf(b, "- Date: %s\n- SBOM: %s\n- Feed: `%s`\n- Decisions: `%s`\n", info.Date.UTC().Format(time.DateOnly), md(info.SBOM), res.FeedDigest, ds.Digest())
	fmt.Fprintf(b, "- Components scanned: %d; not checked: %d\n- Findings: %d\n\n", res.Scanned, res.NotChecked(), len(res.Findings))
	fmt.Fprintf(b, "## Release gate: %s\n\n", strings.ToUpper(string(g.Verdict)))
	for _, bl := range g.Blocking {
		fmt.Fprintf(b, "- %s\n", md(bl.String()))
	}
	if len(g.Stale) > 0 {
		fmt.Fprintf(b, "\nDecisions matching no finding (check for typos):\n\n")
		for _, d := range g.Stale {
			fmt.Fprintf(b, "- %s in %s (%s)\n", md(d.Vuln), md(d.Component), d.State)
		}
	}
	writeFindings(b, res, ds)
	writeUnchecked(b, res)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFindings(b *strings.Builder, res *Result, ds *Decisions) {
	fmt.Fprintf(b, "\n## Findings\n\n")
	if len(res.Findings) == 0 {
		fmt.Fprintf(b, "None.\n")
		return
	}
	fmt.Fprintf(b, "| ID | aliases | component | version | severity | fixed in | state | justification / response | entered by |\n")
	fmt.Fprintf(b, "|---|---|---|---|---|---|---|---|---|\n")
	for _, f := range res.Findings {
		state, why, by := "untriaged", "", ""
		if d, ok := ds.For(f); ok {
			state, by = string(d.State), d.By+" "+d.At.UTC().Format(time.DateOnly)
			why = strings.Join(append([]string{d.Justification}, d.Responses...), " ")
		}
		sev := string(f.Rating.Severity)
		if f.Rating.Score > 0 {
			sev += fmt.Sprintf(" (%.1f)", f.Rating.Score)
		}
		if f.Unevaluated != "" {
			sev += "; range not evaluated: " + f.Unevaluated
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", md(f.ID), md(strings.Join(f.Aliases, ", ")),
			md(f.Component.Name), md(f.Component.Written), md(sev), md(strings.Join(f.Fixed, ", ")), state, md(strings.TrimSpace(why)), md(by))
	}
}

func writeUnchecked(b *strings.Builder, res *Result) {
	if res.NotChecked() == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Components not checked\n\n")
	for _, u := range res.Unscannable {
		fmt.Fprintf(b, "- %s\n", md(u.String()))
	}
	for _, c := range res.Uncovered {
		fmt.Fprintf(b, "- %s (%s): the feed has no %s records\n", md(c.Path), md(c.Key()), md(c.Ecosystem))
	}
	for _, h := range res.Quarantined {
		fmt.Fprintf(b, "- %s\n", md(h.String()))
	}
}

// md keeps table cells on one line and table-shaped.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}
