package vuln

import (
	"slices"
	"sort"

	"signbox/sbom"
)

// mergeAliases groups matches whose records name each other or share an
// alias (OSV: aliases are symmetric and transitive) into single findings.
func mergeAliases(ms []match, c sbom.Component) []Finding {
	switch len(ms) {
	case 0:
		return nil
	case 1:
		return []Finding{merged(ms, c)}
	}
	parent := make([]int, len(ms))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, m := range ms {
		for _, id := range append([]string{m.rec.ID}, m.rec.Aliases...) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	groups := map[int][]match{}
	var roots []int
	for i := range ms {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], ms[i])
	}
	out := make([]Finding, 0, len(roots))
	for _, r := range roots {
		out = append(out, merged(groups[r], c))
	}
	return out
}

func merged(group []match, c sbom.Component) Finding {
	if len(group) == 1 {
		return single(group[0], c)
	}
	sort.Slice(group, func(i, j int) bool { return group[i].rec.ID < group[j].rec.ID })
	f := Finding{ID: group[0].rec.ID, Component: c, Summary: group[0].rec.Summary,
		Rating: Rating{Severity: SeverityUnknown}, Match: group[0].hit.how}
	ids := map[string]bool{}
	fixed := map[string]bool{}
	for _, m := range group {
		f.Records = append(f.Records, m.rec.ID)
		for _, id := range append([]string{m.rec.ID}, m.rec.Aliases...) {
			ids[id] = true
		}
		for _, v := range m.hit.fixed {
			fixed[v] = true
		}
		if m.hit.unevaluated != "" && f.Unevaluated == "" {
			f.Unevaluated = m.hit.unevaluated
		}
		f.Rating = maxRating(f.Rating, m.rt)
		if f.Summary == "" {
			f.Summary = m.rec.Summary
		}
		f.References = appendRefs(f.References, m.rec.References)
	}
	delete(ids, f.ID)
	f.Aliases = sortedKeys(ids)
	f.Fixed = sortedKeys(fixed)
	return f
}

// appendRefs keeps advisory links, at most a handful per finding: the
// report is for reading, and the full list stays in the feed.
func appendRefs(dst []string, refs []Reference) []string {
	for _, r := range refs {
		if len(dst) >= 5 {
			break
		}
		dst = append(dst, r.URL) // import kept only advisory links

	}
	return dst
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// single is merged for one record, without the sets.
func single(m match, c sbom.Component) Finding {
	f := Finding{ID: m.rec.ID, Component: c, Summary: m.rec.Summary, Rating: maxRating(Rating{Severity: SeverityUnknown}, m.rt),
		Match: m.hit.how, Records: []string{m.rec.ID}, Unevaluated: m.hit.unevaluated}
	f.References = appendRefs(nil, m.rec.References)
	f.Aliases = uniqueSorted(m.rec.Aliases, m.rec.ID)
	f.Fixed = uniqueSorted(m.hit.fixed, "")
	return f
}

// uniqueSorted returns ss sorted without duplicates and without drop; nil
// when nothing is left.
func uniqueSorted(ss []string, drop string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != drop {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil
	}
	return out
}
