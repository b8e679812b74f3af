package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"signbox/audit"
	"signbox/evidence"
	"signbox/sbom"
	"signbox/vuln"
)

// Machine-readable output: `--format json` prints one JSON object on
// stdout instead of the text report, with the same exit code. The shapes
// below are the contract (docs/cli-json.md); fields are only ever added.
// Failures that produce no report (usage, could not check) stay text on
// stderr.

// addFormat registers --format text|json.
func addFormat(fs *flag.FlagSet) *string {
	return fs.String("format", "text", "output `FORMAT`: text or json")
}

// jsonFormat says whether --format asked for JSON, refusing other values.
func jsonFormat(f string) (bool, error) {
	switch f {
	case "text":
		return false, nil
	case "json":
		return true, nil
	}
	return false, usageErr("--format: want text or json, not %q", f)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type versionJSON struct {
	Signbox string `json:"signbox"`
	Go      string `json:"go"`
}

type auditFindingJSON struct {
	Entry  int64  `json:"entry"` // -1: not about one entry
	Reason string `json:"reason"`
}

type auditVerifyJSON struct {
	Verdict     string             `json:"verdict"` // OK, TAMPERED, UNSEALED TAIL, UNPINNED
	FirstBad    int64              `json:"first_bad"`
	Reason      string             `json:"reason,omitempty"`
	Origin      string             `json:"origin"`
	Entries     int64              `json:"entries"`
	Sealed      int64              `json:"sealed"`
	Checkpoints int                `json:"checkpoints"`
	Proofs      int                `json:"consistency_proofs"`
	Inclusions  int                `json:"inclusion_proofs"`
	Checked     []string           `json:"checked"`
	NotChecked  []string           `json:"not_checked"`
	Problems    []auditFindingJSON `json:"problems"`
	Warnings    []auditFindingJSON `json:"warnings"`
}

func auditJSON(r *audit.Report) auditVerifyJSON {
	ran, skipped := checkNames(r)
	out := auditVerifyJSON{Verdict: r.Verdict.String(), FirstBad: r.FirstBad, Reason: r.Reason, Origin: r.Origin,
		Entries: r.Entries, Sealed: r.Sealed, Checkpoints: r.Checkpoints, Proofs: r.Proofs, Inclusions: r.Inclusions,
		Checked: nonNil(ran), NotChecked: nonNil(skipped), Problems: findingsJSON(r.Problems), Warnings: findingsJSON(r.Warnings)}
	return out
}

func findingsJSON(fs []audit.Finding) []auditFindingJSON {
	out := []auditFindingJSON{}
	for _, f := range fs {
		out = append(out, auditFindingJSON{Entry: f.Index, Reason: f.Reason})
	}
	return out
}

type evidenceRowJSON struct {
	ID       string   `json:"id"`
	Source   string   `json:"source"`
	Result   string   `json:"result"` // pass, warn, fail
	Files    []string `json:"files"`
	Detail   string   `json:"detail"`
	Warnings []string `json:"warnings"`
	Command  string   `json:"command,omitempty"`
}

type evidenceCheckJSON struct {
	Verdict        string            `json:"verdict"` // PASS, FAIL
	Product        string            `json:"product"`
	Version        string            `json:"version"`
	ManifestSHA256 string            `json:"manifest_sha256"`
	ReleaseKey     string            `json:"release_key"`
	Rows           []evidenceRowJSON `json:"rows"`
}

func evidenceJSON(rep *evidence.Report) evidenceCheckJSON {
	out := evidenceCheckJSON{Verdict: "FAIL", Product: rep.Product, Version: rep.Version,
		ManifestSHA256: rep.ManifestSHA256, ReleaseKey: rep.ReleaseKeyID, Rows: []evidenceRowJSON{}}
	if rep.Pass() {
		out.Verdict = "PASS"
	}
	for _, r := range rep.Rows {
		res := "pass"
		switch {
		case !r.Pass:
			res = "fail"
		case len(r.Warnings) > 0:
			res = "warn"
		}
		out.Rows = append(out.Rows, evidenceRowJSON{ID: r.Row.ID, Source: r.Row.Source, Result: res,
			Files: nonNil(r.Row.Files), Detail: r.Detail, Warnings: nonNil(r.Warnings), Command: r.Row.Command})
	}
	return out
}

type unscannableJSON struct {
	Path    string `json:"path"`
	Ref     string `json:"bom_ref,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	PURL    string `json:"purl,omitempty"`
	Reason  string `json:"reason"`
}

type sbomCheckJSON struct {
	SpecVersion string            `json:"spec_version"`
	Format      string            `json:"format"`
	Scannable   int               `json:"scannable"`
	Unscannable []unscannableJSON `json:"unscannable"`
}

func sbomJSON(s *sbom.SBOM) sbomCheckJSON {
	out := sbomCheckJSON{SpecVersion: s.SpecVersion.String(), Format: s.Format.String(), Scannable: len(s.Components),
		Unscannable: []unscannableJSON{}}
	for _, u := range s.Unscannable {
		out.Unscannable = append(out.Unscannable, unscannableJSON{Path: u.Path, Ref: u.Ref, Name: u.Name,
			Version: u.Version, PURL: u.PURL, Reason: u.Reason})
	}
	return out
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type scanFindingJSON struct {
	ID        string `json:"id"`
	Severity  string `json:"severity"`
	State     string `json:"state"` // a VEX state, or untriaged
	Component string `json:"component"`
}

type scanJSON struct {
	Verdict    string            `json:"verdict"` // pass or block
	Rules      string            `json:"rules"`   // policy serial N, or command line
	MaxFeedAge string            `json:"max_feed_age"`
	Date       string            `json:"date"`
	Feed       string            `json:"feed"`
	Decisions  string            `json:"decisions"`
	Scanned    int               `json:"scanned"`
	NotChecked []string          `json:"not_checked"`
	Findings   []scanFindingJSON `json:"findings"`
	Blocking   []string          `json:"blocking"`
	Stale      []string          `json:"stale"`
}

func scanJSONOf(res *vuln.Result, ds *vuln.Decisions, g vuln.GateResult, r scanRules) scanJSON {
	out := scanJSON{Verdict: string(g.Verdict), Rules: r.source, MaxFeedAge: r.fresh.MaxAge.String(),
		Date: r.fresh.CeremonyDate.Format("2006-01-02"), Feed: res.FeedDigest, Decisions: ds.Digest(), Scanned: res.Scanned,
		NotChecked: []string{}, Findings: []scanFindingJSON{}, Blocking: []string{}, Stale: []string{}}
	for _, f := range res.Findings {
		state := "untriaged"
		if d, ok := ds.For(f); ok {
			state = string(d.State)
		}
		out.Findings = append(out.Findings, scanFindingJSON{ID: f.ID, Severity: string(f.Rating.Severity), State: state, Component: f.Component.Key()})
	}
	for _, u := range res.Unscannable {
		out.NotChecked = append(out.NotChecked, fmt.Sprint(u))
	}
	for _, c := range res.Uncovered {
		out.NotChecked = append(out.NotChecked, fmt.Sprintf("%s (%s): the feed has no %s records", c.Path, c.Key(), c.Ecosystem))
	}
	for _, b := range g.Blocking {
		out.Blocking = append(out.Blocking, b.String())
	}
	for _, d := range g.Stale {
		out.Stale = append(out.Stale, d.Vuln+" "+d.Component)
	}
	return out
}
