package ceremony

import (
	"fmt"
	"reflect"

	"signbox/policy"
)

// policyChanges describes, for the people approving, what a policy change
// does. It is a summary; the plan also binds the new file's digest.
func policyChanges(cur, next *policy.Policy) []string {
	out := []string{fmt.Sprintf("serial %d → %d", cur.Serial, next.Serial)}
	for _, c := range cur.Custodians {
		n := next.Custodian(c.Name)
		switch {
		case n == nil:
			out = append(out, "custodian removed: "+c.Name)
		case n.Fingerprint() != c.Fingerprint():
			out = append(out, fmt.Sprintf("custodian %s: approval key %s → %s", c.Name, c.Fingerprint(), n.Fingerprint()))
		case n.Role != c.Role:
			out = append(out, fmt.Sprintf("custodian %s: role %s → %s", c.Name, c.Role, n.Role))
		}
	}
	for _, n := range next.Custodians {
		if cur.Custodian(n.Name) == nil {
			out = append(out, fmt.Sprintf("custodian added: %s (%s, %s)", n.Name, n.Role, n.Fingerprint()))
		}
	}
	for _, k := range policy.Kinds {
		a, b := cur.Rule(k), next.Rule(k)
		if a.Threshold != b.Threshold || fmt.Sprint(a.Roles) != fmt.Sprint(b.Roles) {
			out = append(out, fmt.Sprintf("quorum %s: %d of %v → %d of %v", k, a.Threshold, a.Roles, b.Threshold, b.Roles))
		}
	}
	old := map[string]policy.NamedKey{}
	for _, k := range cur.AllKeys() {
		old[k.Path] = k
	}
	for _, k := range next.AllKeys() {
		o, ok := old[k.Path]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("key added: %s %s (%s)", k.Path, k.Label, k.Status))
		case o.Label != k.Label || o.Status != k.Status || o.Fingerprint != k.Fingerprint:
			out = append(out, fmt.Sprintf("key %s: %s %s %s → %s %s %s", k.Path, o.Label, o.Status, short(o.Fingerprint), k.Label, k.Status, short(k.Fingerprint)))
		}
	}
	if cur.Release.SecurityVersion != next.Release.SecurityVersion || cur.Release.VulnGate != next.Release.VulnGate ||
		!reflect.DeepEqual(cur.Release.SBOM, next.Release.SBOM) || cur.Release.MaxFeedAge != next.Release.MaxFeedAge || cur.Release.BuildKey != next.Release.BuildKey {
		out = append(out, "release rules changed")
	}
	return out
}

func short(fp string) string {
	if len(fp) > 19 {
		return fp[:19] + "…"
	}
	if fp == "" {
		return "(no pin)"
	}
	return fp
}
