package vuln

import (
	"fmt"
	"sort"
	"strings"

	"signbox/sbom"
)

// hit says why an affected entry matches a version. A non-empty
// unevaluated means signbox could not order versions for a range and
// reports the finding as "could not evaluate" for a person (and the gate's
// could_not_evaluate rule) to judge rather than drop it.
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

// prepAffected is one affected entry with its ranges' events parsed and
// sorted once, however many components are checked against it.
type prepAffected struct {
	a      *Affected
	ranges []prepRange // SEMVER and ECOSYSTEM ranges; GIT ones are skipped
	rating Rating
	err    error // rating error: a vector import should have refused
}

// prepRange is a range ready to evaluate: sorted events, or why its
// events cannot be ordered.
type prepRange struct {
	typ   string
	parse parser
	evs   []event
	bad   string
}

func prepare(r *Record, a *Affected) prepAffected {
	p := prepAffected{a: a}
	for i := range a.Ranges {
		rg := &a.Ranges[i]
		if rg.Type == "GIT" {
			// Commit ranges need the repository's graph, which an offline
			// appliance does not have; the version ranges beside them
			// still count (osv-scanner stops at the first GIT range).
			continue
		}
		pr := prepRange{typ: rg.Type, parse: parserFor(rg.Type, a.Package.Ecosystem)}
		evs, err := parseEvents(rg, pr.parse)
		if err != nil {
			pr.bad = err.Error()
		}
		pr.evs = evs
		p.ranges = append(p.ranges, pr)
	}
	p.rating, p.err = rate(r, a)
	return p
}

// compVersion caches a component's version parsed by each ordering.
type compVersion struct {
	raw    string
	parsed [2]struct {
		p   parser
		v   *version
		err error
		set bool
	}
}

func (cv *compVersion) get(p parser) (*version, error) {
	for i := range cv.parsed {
		e := &cv.parsed[i]
		if e.set && e.p == p {
			return e.v, e.err
		}
		if !e.set {
			e.p, e.set = p, true
			e.v, e.err = p.parse(cv.raw)
			return e.v, e.err
		}
	}
	return p.parse(cv.raw)
}

// evaluate checks one affected entry against a component version.
func evaluate(a *Affected, c sbom.Component) (hit, bool) {
	p := prepare(&Record{}, a)
	return p.eval(c, &compVersion{raw: c.Version})
}

// eval: affected if listed in versions[] or inside any range; a range
// whose versions cannot be ordered makes the entry "could not evaluate"
// unless another range or the list already says affected. It is never
// "not affected".
func (p *prepAffected) eval(c sbom.Component, cv *compVersion) (hit, bool) {
	for _, v := range p.a.Versions {
		if sbom.NormaliseVersion(c.Ecosystem, v) == c.Version {
			return hit{how: "versions[]"}, true
		}
	}
	var h hit
	found := false
	unevaluated := ""
	for i := range p.ranges {
		pr := &p.ranges[i]
		in, fixed, err := pr.contains(cv)
		if err != nil {
			if unevaluated == "" {
				unevaluated = err.Error()
				h.how = pr.typ + " range"
			}
			continue
		}
		if in {
			found = true
			h.how = pr.typ + " range"
			h.fixed = append(h.fixed, fixed...)
		}
	}
	if found {
		return h, true
	}
	if unevaluated != "" {
		return hit{how: h.how, unevaluated: unevaluated}, true
	}
	return hit{}, false
}

type event struct {
	kind int // order among equal versions: introduced first
	raw  string
	v    *version // nil for introduced "0" and limit "*"
}

const (
	evIntroduced = iota
	evFixed
	evLastAffected
	evLimit
)

func parseEvents(rg *Range, p parser) ([]event, error) {
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
			v, err := p.parse(ev.raw)
			if err != nil {
				return nil, fmt.Errorf("event version %q: %w", ev.raw, err)
			}
			ev.v = v
		}
		evs = append(evs, ev)
	}
	var cmpErr error
	sort.SliceStable(evs, func(i, j int) bool {
		less, err := lessEvent(evs[i], evs[j])
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		return less
	})
	if cmpErr != nil {
		return nil, fmt.Errorf("events cannot be ordered: %w", cmpErr)
	}
	return evs, nil
}

// lessEvent orders events by version; introduced "0" sorts first and
// limit "*" last, and among equal versions introduced comes first so that
// "introduced X, fixed X" affects nothing.
func lessEvent(a, b event) (bool, error) {
	ca, cb := rank(a), rank(b)
	if ca != cb {
		return ca < cb, nil
	}
	if a.v != nil && b.v != nil {
		c, err := compareVersions(a.v, b.v)
		if err != nil {
			return false, err
		}
		if c != 0 {
			return c < 0, nil
		}
	}
	return a.kind < b.kind, nil
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

// inRange evaluates a range against a version string (tests and fuzzing).
func inRange(rg *Range, eco, version string) (bool, []string, error) {
	pr := prepRange{typ: rg.Type, parse: parserFor(rg.Type, eco)}
	evs, err := parseEvents(rg, pr.parse)
	if err != nil {
		return false, nil, err
	}
	pr.evs = evs
	return pr.contains(&compVersion{raw: version})
}

// contains is the OSV schema's evaluation algorithm ("Evaluation" in
// docs/schema.md): the version must lie below some limit (if any), and the
// last sorted event at or below it decides. Any version that cannot be
// parsed or compared is an error, never "not affected".
func (pr *prepRange) contains(cv *compVersion) (bool, []string, error) {
	if pr.bad != "" {
		return false, nil, fmt.Errorf("%s", pr.bad)
	}
	v, err := cv.get(pr.parse)
	if err != nil {
		return false, nil, fmt.Errorf("component version %q: %w", cv.raw, err)
	}
	var cmpErr error
	cmp := func(e event) int {
		c, err := compareVersions(v, e.v)
		if err != nil && cmpErr == nil {
			cmpErr = fmt.Errorf("component version %q against %q: %w", cv.raw, e.raw, err)
		}
		return c
	}
	before := beforeLimits(pr.evs, cmp)
	if cmpErr != nil {
		return false, nil, cmpErr
	}
	if !before {
		return false, nil, nil
	}
	vulnerable := false
	var fixed []string
	for _, e := range pr.evs {
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
	if cmpErr != nil {
		return false, nil, cmpErr
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
