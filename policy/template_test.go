package policy

import (
	"strings"
	"testing"
)

func TestActivateKeepsTheAuthorsText(t *testing.T) {
	ex := example(t)
	p, err := Parse([]byte(ex))
	if err != nil {
		t.Fatal(err)
	}
	var planned []string
	for _, k := range p.Planned() {
		planned = append(planned, k.Label)
	}
	if strings.Join(planned, ",") != "sbv2-slot2,audit-checkpoint" {
		t.Fatalf("planned %v, want [sbv2-slot2 audit-checkpoint]", planned)
	}
	fp := "sha256:" + strings.Repeat("ab", 32)
	out, err := Activate([]byte(ex), map[string]string{"sbv2-slot2": fp, "audit-checkpoint": "sha256:" + strings.Repeat("cd", 32)})
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	k := q.SecureBootSlot(2)
	if k.Status != StatusActive || k.Fingerprint != fp {
		t.Fatalf("slot 2 is %s %s", k.Status, k.Fingerprint)
	}
	if len(q.Planned()) != 0 || q.Custodians[0].Fingerprint() != p.Custodians[0].Fingerprint() {
		t.Fatal("activation changed something else")
	}
	if !strings.Contains(string(out), "# ") && strings.Contains(ex, "# ") {
		t.Fatal("comments were dropped")
	}
	if _, err := Activate([]byte(ex), map[string]string{"nope": fp}); err == nil || !strings.Contains(err.Error(), `no key labelled "nope"`) {
		t.Fatalf("unknown label: %v", err)
	}
	if _, err := Activate([]byte(ex), map[string]string{"sbv2-slot2": "sha256:short"}); err == nil {
		t.Fatal("a bad fingerprint was accepted")
	}
}
