package ceremony

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"signbox/policy"
)

// FieldChange is one policy field that a policy change alters. Relaxes
// says, when the change weakens a control (fewer approvals, a laxer gate,
// an older feed, a new key or approver), how; it is part of the plan the
// custodians approve.
type FieldChange struct {
	Field   string `json:"field"` // YAML path, list entries by name: "custodians[alice].role"
	Old     string `json:"old"`   // "(absent)" when added
	New     string `json:"new"`   // "(absent)" when removed
	Relaxes string `json:"relaxes,omitempty"`
}

const absent = "(absent)"

// PolicyDiff is the field-by-field diff a policy change plan binds, for
// the review screen before the plan exists.
func PolicyDiff(cur, next *policy.Policy) []FieldChange { return policyChanges(cur, next) }

// String is the change on one line, its relaxation marked.
func (c FieldChange) String() string {
	l := fmt.Sprintf("%s: %s → %s", c.Field, c.Old, c.New)
	if c.Relaxes != "" {
		l += "  RELAXES: " + c.Relaxes
	}
	return l
}

// policyChanges diffs every field of the two policies (generically, by
// their YAML tags, so a field added to policy.Policy is diffed without
// code here) and marks each relaxation.
func policyChanges(cur, next *policy.Policy) []FieldChange {
	a, b := flatten(cur), flatten(next)
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := []FieldChange{}
	for _, k := range keys {
		o, ok1 := a[k]
		n, ok2 := b[k]
		if !ok1 {
			o = absent
		}
		if !ok2 {
			n = absent
		}
		if o == n {
			continue
		}
		out = append(out, FieldChange{Field: k, Old: o, New: n, Relaxes: relaxation(k, o, n, cur, next)})
	}
	return out
}

// flatten lists every leaf of a policy as path → text. Public keys are
// shown by their SPKI SHA-256 fingerprint; list entries are keyed by
// their name, id, label or slot so that reordering is no change.
func flatten(p *policy.Policy) map[string]string {
	out := map[string]string{}
	flattenValue(reflect.ValueOf(*p), "", out)
	return out
}

func flattenValue(v reflect.Value, path string, out map[string]string) {
	if d, ok := v.Interface().(policy.Duration); ok {
		out[path] = d.Duration.String()
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		flattenValue(v.Elem(), path, out)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			child := join(path, name)
			if strings.Contains(opts, "inline") || name == "" {
				child = path
			}
			flattenValue(v.Field(i), child, out)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Struct {
			parts := make([]string, v.Len())
			for i := range v.Len() {
				parts[i] = fmt.Sprint(v.Index(i).Interface())
			}
			out[path] = "[" + strings.Join(parts, ", ") + "]"
			return
		}
		for i := range v.Len() {
			flattenValue(v.Index(i), path+"["+entryName(v.Index(i), i)+"]", out)
		}
	default:
		s := fmt.Sprint(v.Interface())
		if strings.HasPrefix(strings.TrimSpace(s), "-----BEGIN") {
			if pub, err := policy.ParsePublicKeyPEM(s); err == nil {
				if fp, err := policy.Fingerprint(pub); err == nil {
					s = fp
				}
			}
		}
		out[path] = s
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// entryName keys a list entry by its first identifying field.
func entryName(v reflect.Value, i int) string {
	for _, f := range []string{"Name", "ID", "Slot", "Label"} {
		if fv := v.FieldByName(f); fv.IsValid() {
			return fmt.Sprint(fv.Interface())
		}
	}
	return strconv.Itoa(i)
}

// relaxation says how a change weakens a control, "" if it does not.
func relaxation(field, o, n string, cur, next *policy.Policy) string {
	last := field[strings.LastIndexByte(field, '.')+1:]
	switch {
	case strings.HasPrefix(field, "quorum.") && last == "threshold":
		if atoi(n) < atoi(o) || o == absent {
			return "fewer approvals are needed"
		}
	case strings.HasPrefix(field, "quorum.") && last == "roles":
		return rolesAdded(o, n)
	case strings.HasPrefix(field, "custodians["):
		return custodianRelaxes(field, last, o, n, cur, next)
	case strings.HasPrefix(field, "keys."):
		if (last == "fingerprint" || last == "label") && n != absent {
			return "a different key can sign: " + n
		}
		if o == absent {
			return "a new key can sign"
		}
		if last == "status" && n == string(policy.StatusActive) {
			return "the key becomes active and can sign"
		}
	case field == "release.vuln_gate.block_at":
		if policy.Severity(n).Rank() > policy.Severity(o).Rank() {
			return fmt.Sprintf("the vulnerability gate no longer blocks %s findings", belowSeverity(n))
		}
	case field == "release.vuln_gate.block_in_triage", field == "release.vuln_gate.exploitable_needs_response",
		field == "release.sbom.required", field == "release.sbom.require_hashes", field == "release.security_version.monotonic":
		if o == "true" && n != "true" {
			return "a check is switched off"
		}
	case field == "release.vuln_gate.allow_unchecked":
		if n == "true" && o != "true" {
			return "SBOM components the feed cannot check no longer block"
		}
	case field == "release.vuln_gate.unknown_severity":
		if n == string(policy.UnknownSeverityAllow) {
			return "findings of unknown severity no longer block"
		}
	case field == "release.max_feed_age":
		od, _ := time.ParseDuration(o)
		nd, _ := time.ParseDuration(n)
		if nd > od {
			return "an older vulnerability feed is accepted"
		}
	case field == "release.sbom.min_spec_version":
		if n < o {
			return "older SBOM formats are accepted"
		}
	case field == "release.build_key":
		if n == absent || n == "" {
			return "release requests no longer need the build system's signature"
		}
		return "a different build key is trusted: " + n
	case field == "release.security_version.max":
		if atoi(n) > atoi(o) {
			return "higher security versions are allowed"
		}
	}
	return ""
}

func custodianRelaxes(field, last, o, n string, cur, next *policy.Policy) string {
	name := field[len("custodians["):strings.IndexByte(field, ']')]
	switch {
	case o == absent && last == "approval_key":
		return "a new person can approve: " + name
	case last == "approval_key" && n != absent:
		return "a different key approves for " + name
	case last == "role" && n != absent:
		var gained []string
		for _, k := range policy.Kinds {
			if r := next.Rule(k); r != nil && r.Allows(policy.Role(n)) {
				if or := cur.Rule(k); or == nil || !or.Allows(policy.Role(o)) {
					gained = append(gained, string(k))
				}
			}
		}
		if len(gained) > 0 {
			return name + " now counts towards " + strings.Join(gained, ", ")
		}
	case last == "share_key" && n != absent:
		return "a different key receives " + name + "'s share of the appliance PIN"
	}
	return ""
}

func rolesAdded(o, n string) string {
	split := func(s string) []string { return strings.Split(strings.Trim(s, "[]"), ", ") }
	var added []string
	for _, r := range split(n) {
		if r != "" && !slices.Contains(split(o), r) {
			added = append(added, r)
		}
	}
	if len(added) == 0 {
		return ""
	}
	return "more roles count towards the quorum: " + strings.Join(added, ", ")
}

func belowSeverity(n string) string {
	var below []string
	for _, s := range []policy.Severity{policy.SeverityNone, policy.SeverityLow, policy.SeverityMedium, policy.SeverityHigh, policy.SeverityCritical} {
		if s.Rank() < policy.Severity(n).Rank() && s != policy.SeverityNone {
			below = append(below, string(s))
		}
	}
	return strings.Join(below, "/")
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
