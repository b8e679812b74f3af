package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"signbox/appliance"
	"signbox/internal/atomicfile"
	"signbox/sbom"
	"signbox/vuln"
)

// gateBlocked exits 1: the scan worked and the release may not proceed.
type gateBlocked struct{ n int }

func (g gateBlocked) Error() string {
	return fmt.Sprintf("release gate: BLOCK (%d blockers)", g.n)
}
func (gateBlocked) ExitCode() int { return 1 }

func runVulnScan(e *env, args []string) error {
	fs := newFlags(e, "vuln scan")
	ws := fs.String("workspace", "", "workspace directory")
	fresh := addFresh(fs)
	var p vuln.GatePolicy
	fs.BoolVar(&p.BlockInTriage, "block-in-triage", true, "findings still in_triage block")
	blockAt := fs.String("block-at", "high", "exploitable or in_triage findings at or above this severity block (none to disable)")
	unknown := fs.String("unknown-severity", "block", "open findings whose advisory has no usable score: block or allow")
	unevaluated := fs.String("could-not-evaluate", "block", "open findings whose versions could not be parsed or ordered: block or allow")
	fs.BoolVar(&p.AllowUnchecked, "allow-unchecked", false, "components that could not be scanned do not block")
	vexOut := fs.String("vex", "", "write the CycloneDX 1.6 VEX document here")
	reportOut := fs.String("report", "", "write the Markdown report here")
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *ws == "" {
		return usageErr("need SBOM and --workspace")
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	if err := gateFlags(&p, *blockAt, *unknown); err != nil {
		return err
	}
	switch *unevaluated {
	case "block":
	case "allow":
		p.AllowUnevaluated = true
	default:
		return usageErr("--could-not-evaluate: want block or allow, not %q", *unevaluated)
	}
	fr, err := fresh.parse(e)
	if err != nil {
		return err
	}
	rules, err := policyRules(*ws, fs, fr, p)
	if err != nil {
		return err
	}
	fr, p = rules.fresh, rules.gate
	// Reading the SBOM and opening the feed are independent, and the
	// SBOM's schema check (compiling the official schema, then
	// validating) runs beside the feed open and the matching; nothing is
	// printed or written before it has passed.
	type sbomRead struct {
		s    *sbom.SBOM
		wait func() error
		sum  string
		err  error
	}
	sbomCh := make(chan sbomRead, 1)
	go func() {
		var r sbomRead
		data, err := readSBOMFile(pos[0])
		if err == nil {
			sum := sha256.Sum256(data)
			r.sum = "sha256:" + hex.EncodeToString(sum[:])
			r.s, r.wait, err = sbom.ParseAsync(data, sbom.FormatAuto)
		}
		if err != nil {
			r.err = fmt.Errorf("%s: %w", pos[0], err)
		}
		sbomCh <- r
	}()
	feed, feedErr := vuln.OpenFeed(appliance.FeedDir(*ws), fr)
	sr := <-sbomCh
	if sr.err != nil {
		return sr.err
	}
	s := sr.s
	if feedErr != nil {
		return importHint(feedErr)
	}
	res, scanErr := vuln.Scan(feed, s)
	if err := sr.wait(); err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if scanErr != nil {
		return scanErr
	}
	ds, err := vuln.LoadDecisions(appliance.TriageDir(*ws))
	if err != nil {
		return err
	}
	g := vuln.Gate(res, ds, p)
	if asJSON {
		err = writeJSON(e.stdout, scanJSONOf(res, ds, g, rules))
	} else {
		out := bufio.NewWriterSize(e.stdout, 64<<10)
		fmt.Fprintf(out, "rules: %s (feed at most %s old on %s)\n", rules.source, fr.MaxAge, fr.CeremonyDate.Format("2006-01-02"))
		printScan(out, res, ds, g)
		err = out.Flush()
	}
	if err != nil {
		return err
	}
	if err := writeOutputs(res, ds, g, fr, s, sr.sum, pos[0], *vexOut, *reportOut); err != nil {
		return err
	}
	if !g.Pass() {
		return withHint(gateBlocked{len(g.Blocking)}, "record a decision per finding with `signbox vuln triage`, then scan again")
	}
	return nil
}

func gateFlags(p *vuln.GatePolicy, blockAt, unknown string) error {
	if blockAt != "none" {
		sev, err := vuln.ParseSeverity(blockAt)
		if err != nil || sev == vuln.SeverityUnknown {
			return usageErr("--block-at: want none, low, medium, high or critical (unknown severities have --unknown-severity)")
		}
		p.BlockAtOrAbove = sev
	}
	switch unknown {
	case "block":
	case "allow":
		p.AllowUnknownSeverity = true
	default:
		return usageErr("--unknown-severity: want block or allow, not %q", unknown)
	}
	return nil
}

func writeOutputs(res *vuln.Result, ds *vuln.Decisions, g vuln.GateResult, fr vuln.Freshness, s *sbom.SBOM, sbomSum, sbomPath, vexOut, reportOut string) error {
	if vexOut != "" {
		info := vuln.VEXInfo{Timestamp: fr.CeremonyDate, SBOM: s, SBOMDigest: sbomSum}
		// Streamed into a temporary file: the VEX of 100,000 findings is
		// never held in memory as a whole.
		if err := atomicfile.CreateNew(vexOut, 0o644, func(w io.Writer) error {
			return vuln.WriteVEX(w, res, ds, info)
		}); err != nil {
			return err
		}
	}
	if reportOut != "" {
		var b bytes.Buffer
		info := vuln.ReportInfo{Title: filepath.Base(sbomPath), SBOM: sbomPath, Date: fr.CeremonyDate}
		if err := vuln.WriteReport(&b, res, ds, g, info); err != nil {
			return err
		}
		if err := atomicfile.WriteNew(reportOut, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func printScan(w io.Writer, res *vuln.Result, ds *vuln.Decisions, g vuln.GateResult) {
	fmt.Fprintf(w, "feed %s\ndecisions %s\n", res.FeedDigest, ds.Digest())
	fmt.Fprintf(w, "%d components scanned, %d not checked, %d findings\n",
		res.Scanned, res.NotChecked(), len(res.Findings))
	for _, f := range res.Findings {
		state := "untriaged"
		if d, ok := ds.For(f); ok {
			state = string(d.State)
		}
		fmt.Fprintf(w, "  %-20s %-9s %-12s %s\n", f.ID, f.Rating.Severity, state, f.Component.Key())
	}
	for _, u := range res.Unscannable {
		fmt.Fprintf(w, "  not checked: %s\n", u)
	}
	for _, c := range res.Uncovered {
		fmt.Fprintf(w, "  not checked: %s (%s): the feed has no %s records\n", c.Path, c.Key(), c.Ecosystem)
	}
	for _, h := range res.Quarantined {
		fmt.Fprintf(w, "  not checked: %s\n", h)
	}
	fmt.Fprintf(w, "release gate: %s\n", g.Verdict)
	for _, b := range g.Blocking {
		fmt.Fprintf(w, "  blocked: %s\n", b)
	}
	for _, d := range g.Stale {
		fmt.Fprintf(w, "  stale decision (matches no finding): %s %s\n", d.Vuln, d.Component)
	}
}

// readSBOMFile reads an SBOM file within sbom.MaxSBOMBytes.
func readSBOMFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, sbom.MaxSBOMBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > sbom.MaxSBOMBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", sbom.ErrMalformed, sbom.MaxSBOMBytes)
	}
	return data, nil
}
