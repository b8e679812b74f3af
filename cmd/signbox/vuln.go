package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"signbox/airgap"
	"signbox/appliance"
	"signbox/internal/atomicfile"
	"signbox/vuln"
)

func init() {
	register(&command{
		path:    "vuln manifest",
		usage:   "SNAPSHOT_DIR --snapshot DATE [--source TEXT] [--sign-with URI --key-label L [--module PATH] [--pin-fd N | --pin-env NAME]]",
		summary: "write feed.json for a directory of <Ecosystem>/all.zip, and feed.dsse.json signed by the build key (connected side)",
		run:     runVulnManifest,
	})
	register(&command{
		path:    "vuln import",
		usage:   "SNAPSHOT_DIR --workspace DIR [--date DATE] [--max-age 30d] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "verify an OSV feed snapshot (signed by the policy's build key, if it pins one) and index it into the workspace",
		run:     runVulnImport,
		locks:   lockWorkspace,
	})
	register(&command{
		path:    "vuln scan",
		usage:   "SBOM --workspace DIR [--date DATE] [--max-age 30d] [gate flags] [--vex OUT] [--report OUT] [--format text|json]",
		summary: "match an SBOM against the imported feed and apply the release gate",
		run:     runVulnScan,
	})
	register(&command{
		path:    "vuln triage",
		usage:   "--workspace DIR --vuln ID --component KEY --state STATE [--justification J] [--response R]... [--detail TEXT] [--at TIME] [--operator-pin-fd N|--operator-pin-env NAME]",
		summary: "record a VEX triage decision for one finding",
		run:     runVulnTriage,
		locks:   lockWorkspace,
	})
}

// parseDate accepts YYYY-MM-DD or RFC 3339; an empty string means now,
// which only cmd/ may read.
func parseDate(e *env, s string) (time.Time, error) {
	if s == "" {
		return e.now().UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageErr("date %q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}

// parseAge accepts "30d" or a Go duration such as "720h".
func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, usageErr("max-age %q: want a positive number of days such as 30d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usageErr("max-age %q: want e.g. 30d or 720h", s)
	}
	return d, nil
}

type freshFlags struct{ date, maxAge *string }

func addFresh(fs interface {
	String(name, value, usage string) *string
}) freshFlags {
	return freshFlags{
		date:   fs.String("date", "", "ceremony date (YYYY-MM-DD); default today"),
		maxAge: fs.String("max-age", "30d", "oldest feed snapshot the policy allows, relative to --date"),
	}
}

func (f freshFlags) parse(e *env) (vuln.Freshness, error) {
	date, err := parseDate(e, *f.date)
	if err != nil {
		return vuln.Freshness{}, err
	}
	age, err := parseAge(*f.maxAge)
	return vuln.Freshness{CeremonyDate: date, MaxAge: age}, err
}

func runVulnManifest(e *env, args []string) error {
	fs := newFlags(e, "vuln manifest")
	snap := fs.String("snapshot", "", "when the snapshot was taken (YYYY-MM-DD or RFC 3339)")
	source := fs.String("source", "osv.dev exports", "where the snapshot came from")
	sign := addSignFlags(e, fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *snap == "" {
		return usageErr("need SNAPSHOT_DIR and --snapshot")
	}
	if err := sign.check(); err != nil {
		return err
	}
	created, err := parseDate(e, *snap)
	if err != nil {
		return err
	}
	data, err := vuln.WriteManifest(pos[0], created, *source)
	if err != nil {
		return err
	}
	if sign.enabled() {
		return writeSignedFeed(e, pos[0], data, sign)
	}
	out := filepath.Join(pos[0], vuln.ManifestName)
	if err := atomicfile.WriteNew(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", out)
	return nil
}

func runVulnImport(e *env, args []string) error {
	fs := newFlags(e, "vuln import")
	ws := fs.String("workspace", "", "workspace directory")
	fresh := addFresh(fs)
	op := addOperatorFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *ws == "" {
		return usageErr("need SNAPSHOT_DIR and --workspace")
	}
	fr, err := fresh.parse(e)
	if err != nil {
		return err
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	defer a.Close()
	info, v, err := a.ImportFeed(pos[0], fr)
	if err != nil {
		return importHint(err)
	}
	fmt.Fprintf(e.stdout, "feed media verified: feed.json sha256:%s, signature %s\n", v.ManifestSHA256, v.Signature)
	fmt.Fprintf(e.stdout, "imported OSV feed snapshot of %s (%s)\n", info.Created.Format(time.RFC3339), info.Source)
	for _, s := range info.Ecosystems {
		fmt.Fprintf(e.stdout, "  %-12s %6d records, %d withdrawn (ignored), %d quarantined\n", s.Ecosystem, s.Records, s.Withdrawn, s.Quarantined)
	}
	for _, q := range info.Quarantined {
		fmt.Fprintf(e.stdout, "  quarantined %s\n", q)
	}
	if n := len(info.Quarantined); n > 0 {
		fmt.Fprintf(e.stdout, "%d records quarantined: components they name are not checked against them, and the gate blocks on that unless the policy allows unchecked components\n", n)
	}
	f, err := vuln.OpenFeed(appliance.FeedDir(*ws), fr)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "feed digest %s\n", f.Digest())
	return nil
}

func importHint(err error) error {
	switch {
	case errors.Is(err, vuln.ErrFeedTooOld):
		return withHint(err, "bring a newer snapshot; the policy's maximum feed age is measured from the ceremony date")
	case errors.Is(err, vuln.ErrFeedHash):
		return withHint(err, "the media does not match its feed.json; copy the snapshot again on the connected side")
	case errors.Is(err, vuln.ErrMalformedRecord):
		return withHint(err, "nothing was imported: with this many malformed records the feed is refused as a whole")
	case errors.As(err, new(*airgap.MediaError)):
		return mediaErr(err)
	case errors.Is(err, atomicfile.ErrExists):
		return withHint(err, "a feed is already imported in this workspace; use a fresh workspace for a new snapshot")
	}
	return err
}

func runVulnTriage(e *env, args []string) error {
	fs := newFlags(e, "vuln triage")
	ws := fs.String("workspace", "", "workspace directory")
	d := vuln.Decision{}
	fs.StringVar(&d.Vuln, "vuln", "", "vulnerability ID or alias, as shown by vuln scan")
	fs.StringVar(&d.Component, "component", "", "component key, as shown by vuln scan (e.g. Go/golang.org/x/text@0.3.2)")
	state := fs.String("state", "", "resolved, resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected")
	fs.StringVar(&d.Justification, "justification", "", "why not_affected, e.g. code_not_reachable")
	var responses listFlag
	fs.Var(&responses, "response", "can_not_fix, will_not_fix, update, rollback or workaround_available (repeatable)")
	fs.StringVar(&d.Detail, "detail", "", "free text: why, and what was done")
	at := fs.String("at", "", "when (RFC 3339); default now")
	op := addOperatorFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *ws == "" {
		return usageErr("need --workspace and no positional arguments")
	}
	d.State, d.Responses = vuln.State(*state), responses
	if d.At, err = parseDate(e, *at); err != nil {
		return err
	}
	a, err := openAppliance(e, *ws, op)
	if err != nil {
		return err
	}
	defer a.Close()
	digest, err := a.RecordDecision(d)
	if err != nil {
		return withHint(err, "nothing was recorded")
	}
	fmt.Fprintf(e.stdout, "recorded %s for %s in %s\ndecisions digest %s\nentered by the operator; the custodians approve it in the release plan, and the VEX names them\n", d.State, d.Vuln, d.Component, digest)
	return nil
}
