package policy

import (
	"strings"
	"testing"
)

func TestUnenrolledAndEnrol(t *testing.T) {
	raw := []byte("version: 1\nname: x\n# the founders\ncustodians:\n  - name: ann\n    role: custodian\n  - {name: ben, role: custodian}\n")
	got, err := Unenrolled(raw)
	if err != nil || strings.Join(got, ",") != "ann,ben" {
		t.Fatalf("Unenrolled = %v, %v", got, err)
	}
	pem := "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
	out, err := Enrol(raw, "ben", pem, pem)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := Unenrolled(out); strings.Join(got, ",") != "ann" {
		t.Fatalf("after enrolling ben: %v\n%s", got, out)
	}
	if !strings.Contains(string(out), "# the founders") || !strings.Contains(string(out), "approval_key: |") {
		t.Fatalf("comments or PEM block style lost:\n%s", out)
	}
	if _, err := Enrol(out, "ben", pem, pem); err == nil || !strings.Contains(err.Error(), "enrolled already") {
		t.Errorf("enrolling twice: %v", err)
	}
	if _, err := Enrol(out, "zed", pem, pem); err == nil || !strings.Contains(err.Error(), `no custodian named "zed"`) {
		t.Errorf("an unknown name: %v", err)
	}
	if _, err := Unenrolled([]byte("custodians: 3\n")); err == nil {
		t.Error("custodians not a list was accepted")
	}
}
