package ceremony

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzWorkspaceState: versions.json, revocations.json and a ceremony's
// state.json sit in the workspace, where anyone with the disk can edit
// them. Reading them never panics; a state.json is accepted only for its
// own ceremony and with a step that is ever persisted.
func FuzzWorkspaceState(f *testing.F) {
	const id = "0004-release"
	seed := func(file byte, v any) {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(file, b)
	}
	seed(0, Versions{Format: versionsFormat, Products: map[string]ReleasedVersion{
		"infusion-pump": {SecurityVersion: 3, Version: "2.4.1", Ceremony: "0003-release", Date: "2026-11-21", PlanDigest: "sha256:00"}}})
	seed(1, Revocations{Format: revocationsFormat, Slots: []Revocation{{Slot: 0, Label: "sb-0", Fingerprint: "sha256:00", Reason: "lost", Ceremony: "0002-key-revocation", Date: "2026-11-20"}}})
	for _, step := range []Step{StepPlanned, StepSigning, StepSigned, StepVerified, StepExported, StepAborted} {
		if step.persisted() {
			seed(2, stateFile{Format: stateFormat, ID: id, PlanDigest: "sha256:00", Step: step.String(), Approvals: []Approval{{Custodian: "alice", Role: "custodian", Fingerprint: "sha256:00"}}})
		}
	}
	root := f.TempDir()
	w, err := OpenWorkspace(root)
	if err != nil {
		f.Fatal(err)
	}
	if err := os.MkdirAll(w.ceremonyDir(id), 0o700); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, file byte, b []byte) {
		switch file % 3 {
		case 0:
			write(t, w.versionsPath(), b)
			if v, err := w.Versions(); err == nil && v.Products == nil {
				t.Fatal("accepted versions without a products map")
			}
		case 1:
			write(t, w.revocationsPath(), b)
			_, _ = w.Revocations()
		case 2:
			write(t, filepath.Join(w.ceremonyDir(id), "state.json"), b)
			if st, err := w.StepOf(id); err == nil && !st.persisted() {
				t.Fatalf("accepted step %s, which is never persisted", st)
			}
		}
	})
}

func write(t *testing.T, path string, b []byte) {
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
