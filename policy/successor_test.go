package policy

import (
	"strings"
	"testing"
)

func TestCheckSuccessor(t *testing.T) {
	ex := example(t)
	cur, err := Parse([]byte(ex))
	if err != nil {
		t.Fatal(err)
	}
	next := func(old, new string) *Policy {
		t.Helper()
		p, err := Parse([]byte(strings.Replace(strings.Replace(ex, "serial: 1\n", "serial: 2\n", 1), old, new, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := CheckSuccessor(cur, next("max: 16", "max: 15")); err != nil {
		t.Fatalf("valid successor refused: %v", err)
	}
	revoked, err := Parse([]byte(strings.Replace(ex, "label: sbv2-slot1\n      algorithm: ecdsa-p256\n      status: active", "label: sbv2-slot1\n      algorithm: ecdsa-p256\n      status: revoked", 1)))
	if err != nil {
		t.Fatal(err)
	}
	revokedNext, err := Parse([]byte(strings.Replace(ex, "serial: 1\n", "serial: 2\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		cur, next *Policy
		want      string
	}{
		{"same serial", cur, next("serial: 2\n", "serial: 1\n"), "serial: new policy has serial 1, want 2 (current 1 + 1)"},
		{"skip serial", cur, next("serial: 2\n", "serial: 3\n"), "serial: new policy has serial 3, want 2 (current 1 + 1)"},
		{"rename", cur, next("name: acme-infusion", "name: other"), `name: new policy is "other", current is "acme-infusion"; a policy change keeps the name`},
		{"unrevoke", revoked, revokedNext, "keys.secure_boot[1].status: a revoked key cannot become active again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSuccessor(tc.cur, tc.next)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}
