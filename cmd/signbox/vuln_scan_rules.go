package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"

	"signbox/appliance"
	"signbox/ceremony"
	"signbox/vuln"
)

// scanRules are the freshness and gate rules a scan applies, and where
// they came from: the workspace policy (release.max_feed_age and
// release.vuln_gate) when the workspace has one, so `vuln scan` judges a
// release as the ceremony does and the re-check command evidence check
// prints agrees with it; the command line otherwise. A flag given on the
// command line always wins.
type scanRules struct {
	fresh  vuln.Freshness
	gate   vuln.GatePolicy
	source string // "policy serial N" or "command line"
}

var gateFlagNames = []string{"block-in-triage", "block-at", "unknown-severity", "allow-unchecked"}

// policyRules overrides fr and p with the workspace policy's rules for
// every flag not given on fset's command line. A workspace without
// policy.yaml keeps the flags' values.
func policyRules(ws string, fset *flag.FlagSet, fr vuln.Freshness, p vuln.GatePolicy) (scanRules, error) {
	r := scanRules{fresh: fr, gate: p, source: "command line"}
	w, err := ceremony.OpenWorkspace(ws)
	if err != nil {
		return r, err
	}
	pol, err := w.Policy()
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("workspace policy: %w", err)
	}
	given := map[string]bool{}
	fset.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["max-age"] {
		r.fresh.MaxAge = pol.Release.MaxFeedAge.Duration
	}
	anyGate := false
	for _, n := range gateFlagNames {
		anyGate = anyGate || given[n]
	}
	if !anyGate {
		if r.gate, err = appliance.GatePolicy(pol); err != nil {
			return r, err
		}
	}
	r.source = fmt.Sprintf("policy serial %d", pol.Serial)
	if given["max-age"] || anyGate {
		r.source += " with command-line overrides"
	}
	return r, nil
}
