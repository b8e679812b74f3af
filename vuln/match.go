package vuln

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"signbox/sbom"
)

// hit says why an affected entry matches a version. A non-empty
// unevaluated means signbox could not order versions for a range and
// reports the finding for a person to judge rather than drop it.
type hit struct {
	how         string   // "versions[]" or "SEMVER range" / "ECOSYSTEM range"
	fixed       []string // fixed versions of the matching ranges
	unevaluated string
}

// packageMatches applies OSV's package rule: base ecosystems equal, and
// suffixes (Debian:12) equal when both sides carry one.
func packageMatches(p Package, eco, name string) bool {
	pb, ps, _ := strings.Cut(p.Ecosystem, ":")
	cb, cs, _ := strings.Cut(eco, ":")
	if pb != cb || (ps != "" && cs != "" && ps != cs) {
		return false
	}
	return packageKey(p.Ecosystem, p.Name) == packageKey(eco, name)
}

// evaluate checks one affected entry against a component version.
func evaluate(a *Affected, c sbom.Component) (hit, bool) {
	for _, v := range a.Versions {
		if sbom.NormaliseVersion(c.Ecosystem, v) == c.Version {
			return hit{how: "versions[]"}, true
		}
	}
	var h hit
	found := false
	for i := range a.Ranges {
		rg := &a.Ranges[i]
		if rg.Type == "GIT" {
			// Commit ranges need the repository's graph, which an offline
			// appliance does not have; the version ranges beside them
			// still count (osv-scanner stops at the first GIT range).
			continue
		}
		in, fixed, err := inRange(rg, a.Package.Ecosystem, c.Version)
		if err != nil {
			return hit{how: rg.Type + " range", unevaluated: err.Error()}, true
		}
		if in {
			found = true
			h.how = rg.Type + " range"
			h.fixed = append(h.fixed, fixed...)
		}
	}
	return h, found
}

// parser turns version strings into ordered values for one range type.
type parser func(string) (semantic.Version, error)

func parserFor(rangeType, eco string) parser {
	if rangeType == "SEMVER" {
		return func(s string) (semantic.Version, error) { return semantic.ParseSemverVersion(s), nil }
	}
	return func(s string) (semantic.Version, error) { return semantic.Parse(s, eco) }
}

type event struct {
	kind int // order among equal versions: introduced first
	raw  string
	v    semantic.Version // nil for introduced "0" and limit "*"
}

const (
	evIntroduced = iota
	evFixed
	evLastAffected
	evLimit
)

func parseEvents(rg *Range, parse parser) ([]event, error) {
	evs := make([]event, 0, len(rg.Events))
	for _, e := range rg.Events {
		ev := event{kind: evIntroduced, raw: e.Introduced}
		switch {
		case e.Fixed != "":
			ev = event{kind: evFixed, raw: e.Fixed}
		case e.LastAffected != "":
			ev = event{kind: evLastAffected, raw: e.LastAffected}
		case e.Limit != "":
			ev = event{kind: evLimit, raw: e.Limit}
		}
		if !(ev.kind == evIntroduced && ev.raw == "0") && !(ev.kind == evLimit && ev.raw == "*") {
			v, err := parse(ev.raw)
			if err != nil {
				return nil, fmt.Errorf("event version %q: %w", ev.raw, err)
			}
			ev.v = v
		}
		evs = append(evs, ev)
	}
	sort.SliceStable(evs, func(i, j int) bool { return less(evs[i], evs[j]) })
	return evs, nil
}

// less orders events by version; introduced "0" sorts first and limit "*"
// last, and among equal versions introduced comes first so that
// "introduced X, fixed X" affects nothing.
func less(a, b event) bool {
	ca, cb := rank(a), rank(b)
	if ca != cb {
		return ca < cb
	}
	if a.v != nil && b.v != nil {
		if c, err := a.v.Compare(b.v); err == nil && c != 0 {
			return c < 0
		}
	}
	return a.kind < b.kind
}

func rank(e event) int {
	switch {
	case e.v == nil && e.kind == evIntroduced:
		return 0
	case e.v == nil:
		return 2
	}
	return 1
}

// inRange is the OSV schema's evaluation algorithm ("Evaluation" in
// docs/schema.md): the version must lie below some limit (if any), and the
// last sorted event at or below it decides.
func inRange(rg *Range, eco, version string) (bool, []string, error) {
	parse := parserFor(rg.Type, eco)
	evs, err := parseEvents(rg, parse)
	if err != nil {
		return false, nil, err
	}
	v, err := parse(version)
	if err != nil {
		return false, nil, fmt.Errorf("component version %q: %w", version, err)
	}
	cmp := func(e event) int { c, _ := v.Compare(e.v); return c }
	if !beforeLimits(evs, cmp) {
		return false, nil, nil
	}
	vulnerable := false
	var fixed []string
	for _, e := range evs {
		switch e.kind {
		case evIntroduced:
			if e.v == nil || cmp(e) >= 0 {
				vulnerable = true
			}
		case evFixed:
			if cmp(e) >= 0 {
				vulnerable = false
			} else if vulnerable && len(fixed) == 0 {
				fixed = append(fixed, e.raw)
			}
		case evLastAffected:
			if cmp(e) > 0 {
				vulnerable = false
			}
		}
	}
	if !vulnerable {
		fixed = nil
	}
	return vulnerable, fixed, nil
}

func beforeLimits(evs []event, cmp func(event) int) bool {
	limited := false
	for _, e := range evs {
		if e.kind != evLimit {
			continue
		}
		if e.v == nil || cmp(e) < 0 {
			return true
		}
		limited = true
	}
	return !limited
}
