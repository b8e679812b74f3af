package ceremony

import (
	"os"
	"strings"
	"testing"

	"signbox/policy"
)

// TestPolicyDiffMarksRelaxations: every field a policy change touches is
// listed, and each relaxation of quorum, gate threshold, feed age, key set
// or roles is marked; tightening is not.
func TestPolicyDiffMarksRelaxations(t *testing.T) {
	base, err := os.ReadFile("../policy/testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := policy.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	fp := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, old, new string
		field, relaxes string // relaxes "" means: listed, not a relaxation
	}{
		{"quorum lowered", "key_generation: {threshold: 3,", "key_generation: {threshold: 2,", "quorum.key_generation.threshold", "fewer approvals are needed"},
		{"quorum raised", "release_signing: {threshold: 2,", "release_signing: {threshold: 3,", "quorum.release_signing.threshold", ""},
		{"quorum role added", "release_signing: {threshold: 2, roles: [custodian]}", "release_signing: {threshold: 2, roles: [custodian, witness]}", "quorum.release_signing.roles", "more roles count towards the quorum: witness"},
		{"gate high to critical", "block_at: high", "block_at: critical", "release.vuln_gate.block_at", "the vulnerability gate no longer blocks low/medium/high findings"},
		{"gate high to medium", "block_at: high", "block_at: medium", "release.vuln_gate.block_at", ""},
		{"in_triage allowed", "block_in_triage: true", "block_in_triage: false", "release.vuln_gate.block_in_triage", "a check is switched off"},
		{"unknown severity allowed", "allow_unchecked: false}", "allow_unchecked: false, unknown_severity: allow}", "release.vuln_gate.unknown_severity", "findings of unknown severity no longer block"},
		{"older feed", "max_feed_age: 7d", "max_feed_age: 30d", "release.max_feed_age", "an older vulnerability feed is accepted"},
		{"fresher feed", "max_feed_age: 7d", "max_feed_age: 2d", "release.max_feed_age", ""},
		{"key activated", "label: sbv2-slot2\n      algorithm: ecdsa-p256\n      status: planned", "label: sbv2-slot2\n      algorithm: ecdsa-p256\n      status: active\n      fingerprint: " + fp, "keys.secure_boot[2].fingerprint", "a different key can sign: " + fp},
		{"role now counts", "role: witness", "role: release-manager", "custodians[erin].role", "erin now counts towards policy_change"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(string(base), tc.old, tc.new, 1)
			if text == string(base) {
				t.Fatalf("%q is not in the example policy", tc.old)
			}
			next, err := policy.Parse([]byte(strings.Replace(text, "serial: 1", "serial: 2", 1)))
			if err != nil {
				t.Fatal(err)
			}
			var got *FieldChange
			for _, c := range PolicyDiff(cur, next) {
				if c.Field == "serial" && c.Relaxes != "" {
					t.Errorf("serial marked as a relaxation: %+v", c)
				}
				if c.Field == tc.field {
					got = &c
				}
			}
			if got == nil {
				t.Fatalf("%s not in the diff %v", tc.field, PolicyDiff(cur, next))
			}
			if tc.relaxes == "" && got.Relaxes != "" || !strings.Contains(got.Relaxes, tc.relaxes) {
				t.Fatalf("%s: relaxes %q, want %q", tc.field, got.Relaxes, tc.relaxes)
			}
		})
	}
	if d := PolicyDiff(cur, cur); len(d) != 0 {
		t.Fatalf("a policy differs from itself: %v", d)
	}
}
