package emu

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type recorder struct {
	types []string
	last  map[string]any
	fail  error
}

func (r *recorder) Record(typ string, payload []byte) error {
	r.types = append(r.types, typ)
	r.last = map[string]any{}
	if err := json.Unmarshal(payload, &r.last); err != nil {
		return err
	}
	return r.fail
}

func TestEventsRecordEveryOperation(t *testing.T) {
	d := booted(t)
	r := &recorder{}
	d.SetEventSink(r)
	if _, err := d.Install(AppImage(build(t, img{kind: 1, sv: 2}))); err == nil {
		t.Fatal("unsigned install accepted")
	}
	if r.last["error"] == nil || !strings.Contains(r.last["error"].(string), "signature") {
		t.Fatalf("refused install event %v", r.last)
	}
	if _, err := d.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	if _, err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	want := []string{EventInstall, EventInstall, EventBoot, EventConfirm}
	if strings.Join(r.types, ",") != strings.Join(want, ",") {
		t.Fatalf("events %v, want %v", r.types, want)
	}
	if r.last["efuse_after"] != 2.0 {
		t.Fatalf("confirm event %v", r.last)
	}
	// A sink that cannot record makes the operation report failure
	// (rauc#1140: a confirmation nobody can see must not look like success).
	r.fail = errors.New("audit log full")
	if _, err := d.Confirm(); err == nil || !strings.Contains(err.Error(), "audit log full") {
		t.Fatalf("confirm with a failing sink: %v", err)
	}
}

// TestBootTraceGolden pins what a person sees for an update's first boot
// and the revert after an unconfirmed reset (regenerate with -update).
func TestBootTraceGolden(t *testing.T) {
	d := booted(t)
	if _, err := d.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for range 2 {
		tr, err := d.Boot()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(tr.String())
		b.WriteString("--\n")
	}
	b.WriteString(d.Status().String())
	got := hexRE(b.String())
	path := filepath.Join("testdata", "trace-update-revert.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Fatalf("trace differs from %s (run with -update):\n%s", path, got)
	}
}

// hexRE blanks the random parts (key digests, image hashes) of a status.
func hexRE(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "sha256 "); i >= 0 {
			line = line[:i+7] + "<hash>" + line[i+7+16:]
		}
		if strings.HasPrefix(line, "key slot") && len(line) >= 18+64 {
			line = line[:18] + "<digest>" + line[18+64:]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
