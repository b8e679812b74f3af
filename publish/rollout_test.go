package publish

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func threeWaves() Rollout {
	return Rollout{Waves: []Wave{
		{Name: "canary", Groups: []string{"lab"}, Percent: 100, Start: t0},
		{Name: "early", Percent: 10, Start: t0.Add(24 * time.Hour)},
		{Name: "all", Percent: 100, Start: t0.Add(72 * time.Hour)},
	}, HaltConditions: []string{"more than 2% of a wave fails to confirm"}}
}

func TestRolloutValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Rollout)
		want string
	}{
		{"ok", func(*Rollout) {}, ""},
		{"no waves", func(r *Rollout) { r.Waves = nil }, "want 1 to 16 waves"},
		{"percent 0", func(r *Rollout) { r.Waves[1].Percent = 0 }, "percent 0 not in 1..100"},
		{"percent 101", func(r *Rollout) { r.Waves[1].Percent = 101 }, "percent 101 not in 1..100"},
		{"no start", func(r *Rollout) { r.Waves[0].Start = time.Time{} }, "start is required"},
		{"out of order", func(r *Rollout) { r.Waves[2].Start = t0 }, "starts before the wave before it"},
		{"repeated name", func(r *Rollout) { r.Waves[1].Name = "canary" }, `name "canary" empty or repeated`},
		{"empty group", func(r *Rollout) { r.Waves[0].Groups = []string{""} }, "empty group name"},
		{"halt without reason", func(r *Rollout) { r.Halted = true }, "must say why"},
	}
	for _, c := range cases {
		r := threeWaves()
		c.edit(&r)
		err := r.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestRolloutEligible(t *testing.T) {
	r := threeWaves()
	const n = 2000
	count := func(at time.Time, group string) int {
		k := 0
		for i := range n {
			if _, err := r.Eligible("p/1", fmt.Sprintf("emu-%016x", i), group, at); err == nil {
				k++
			} else if !errors.Is(err, ErrNotInWave) {
				t.Fatal(err)
			}
		}
		return k
	}
	if k := count(t0.Add(-time.Second), "lab"); k != 0 {
		t.Errorf("before the first wave: %d devices eligible", k)
	}
	if k := count(t0, "lab"); k != n {
		t.Errorf("canary: %d of %d lab devices eligible", k, n)
	}
	if k := count(t0, "field"); k != 0 {
		t.Errorf("canary: %d field devices eligible", k)
	}
	if k := count(t0.Add(24*time.Hour), "field"); k < n/10-80 || k > n/10+80 {
		t.Errorf("early wave: %d of %d field devices, want about 10%%", k, n)
	}
	if k := count(t0.Add(72*time.Hour), "field"); k != n {
		t.Errorf("last wave: %d of %d", k, n)
	}
	r.Halted, r.HaltReason = true, "boot loops in wave early"
	if _, err := r.Eligible("p/1", "emu-0000000000000001", "lab", t0.Add(100*time.Hour)); !errors.Is(err, ErrHalted) || !strings.Contains(err.Error(), "boot loops") {
		t.Errorf("halted: err = %v", err)
	}
}

func TestBucketDeterministic(t *testing.T) {
	if a, b := Bucket("p/1", "emu-a"), Bucket("p/1", "emu-a"); a != b {
		t.Fatal("bucket not deterministic")
	}
	if Bucket("p/1", "emu-a") == Bucket("p/2", "emu-a") && Bucket("p/1", "emu-b") == Bucket("p/2", "emu-b") {
		t.Fatal("bucket ignores the target path")
	}
	// Pinned: SHA-256("p/1" || 0x00 || "emu-a"), first 8 bytes big-endian, mod 10000.
	// (computed with Python's hashlib).
	if got := Bucket("p/1", "emu-a"); got != 8177 {
		t.Fatalf("bucket %d, want 8177", got)
	}
}
