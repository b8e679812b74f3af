package vuln

import (
	"errors"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"signbox/sbom"
)

// Finding is one vulnerability affecting one component. Records that are
// aliases of each other (directly or through shared aliases) are merged
// into one finding.
type Finding struct {
	ID        string         `json:"id"`                // the smallest merged record ID
	Aliases   []string       `json:"aliases,omitempty"` // every other ID, sorted
	Records   []string       `json:"records"`           // feed records merged here
	Component sbom.Component `json:"component"`
	Summary   string         `json:"summary,omitempty"`
	Rating    Rating         `json:"rating"`
	Fixed     []string       `json:"fixed,omitempty"` // versions that fix it, if known
	Match     string         `json:"match"`           // which rule matched
	// Unevaluated is set when signbox could not order versions for a range
	// (an ecosystem osv-scalibr's semantic package does not support, or an
	// unparsable version); the finding is reported for a person to judge.
	Unevaluated string   `json:"unevaluated,omitempty"`
	References  []string `json:"references,omitempty"`
}

// Key identifies the finding for triage decisions.
func (f Finding) Key() string { return f.ID + " " + f.Component.Key() }

// IDs returns the finding's ID and aliases.
func (f Finding) IDs() []string { return append([]string{f.ID}, f.Aliases...) }

// Result is a scan of one SBOM against one feed.
type Result struct {
	FeedDigest string    `json:"feed_digest"`
	Scanned    int       `json:"scanned"`
	Findings   []Finding `json:"findings"`
	// Unscannable components have no version or ecosystem (from the SBOM);
	// Uncovered ones are in an ecosystem the feed does not carry. Neither
	// was checked, and the gate says so.
	Unscannable []sbom.Unscannable `json:"unscannable,omitempty"`
	Uncovered   []sbom.Component   `json:"uncovered,omitempty"`
	// Quarantined lists scanned components that were not checked against
	// a quarantined feed record naming their package.
	Quarantined []QuarantineHit `json:"quarantined,omitempty"`
}

// NotChecked counts the components (or, for a quarantined record naming
// no readable package, ecosystems) the scan could not fully check.
func (r *Result) NotChecked() int {
	return len(r.Unscannable) + len(r.Uncovered) + len(r.Quarantined)
}

// Scan matches every scannable component of s against feed.
func Scan(feed *Feed, s *sbom.SBOM) (*Result, error) {
	res := &Result{FeedDigest: feed.Digest(), Unscannable: s.Unscannable}
	var todo []sbom.Component
	for _, c := range s.Components {
		if !feed.covers(c.Ecosystem) {
			res.Uncovered = append(res.Uncovered, c)
			continue
		}
		todo = append(todo, c)
		if c.Ecosystem == "Go" && c.Name == sbom.GoToolchain {
			// A Go toolchain carries the standard library it compiles
			// into every binary: check it against stdlib records too.
			std := c
			std.Name = sbom.GoStdlib
			todo = append(todo, std)
		}
	}
	res.Scanned = len(todo)
	res.Quarantined = feed.quarantined(todo)
	perComp, err := scanAll(feed, todo)
	if err != nil {
		return nil, err
	}
	// A component listed twice has the same findings twice; the first
	// listing keeps them. Sort keys are built once, not per comparison.
	type sortKey struct {
		comp, id string
		f        *Finding
	}
	var keys []sortKey
	seen := make(map[string]bool, len(todo))
	for i, fs := range perComp {
		if len(fs) == 0 {
			continue
		}
		ck := todo[i].Key()
		if seen[ck] {
			continue
		}
		seen[ck] = true
		for j := range fs {
			keys = append(keys, sortKey{ck, fs[j].ID, &fs[j]})
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].comp != keys[j].comp {
			return keys[i].comp < keys[j].comp
		}
		return keys[i].id < keys[j].id
	})
	res.Findings = make([]Finding, len(keys))
	for i, k := range keys {
		res.Findings[i] = *k.f
	}
	return res, nil
}

// scanAll scans components on every CPU; results keep component order so
// the output does not depend on scheduling.
func scanAll(feed *Feed, comps []sbom.Component) ([][]Finding, error) {
	out := make([][]Finding, len(comps))
	errs := make([]error, len(comps))
	workers := min(runtime.GOMAXPROCS(0), len(comps))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(comps); i = int(next.Add(1) - 1) {
				out[i], errs[i] = scanComponent(feed, comps[i])
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// match is one record that affects a component.
type match struct {
	rec *Record
	hit hit
	rt  Rating
}

func scanComponent(feed *Feed, c sbom.Component) ([]Finding, error) {
	recs, err := feed.prepare(c.Ecosystem, c.Name)
	if err != nil {
		return nil, err
	}
	cv := &compVersion{raw: c.Version}
	var ms []match
	for i := range recs {
		r := &recs[i]
		for j := range r.affected {
			a := &r.affected[j]
			if !packageMatches(a.a.Package, c.Ecosystem, c.Name) {
				continue
			}
			if h, ok := a.eval(c, cv); ok {
				if a.err != nil {
					return nil, a.err
				}
				ms = append(ms, match{rec: r.rec, hit: h, rt: a.rating})
				break
			}
		}
	}
	return mergeAliases(ms, c), nil
}
