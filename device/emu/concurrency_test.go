package emu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"signbox/internal/lock"
)

// One command on a state directory, run concurrently with another: what
// it read, what it wrote, whether it claimed success.
type run struct {
	name          string
	read, written stateSums
	opErr, err    error
	saved         bool
}

// runConcurrently opens dir once per op, runs them at the same time and
// saves each device, as concurrent CLI commands would. Every op starts
// only once all have read the state, so each save comes after the others'
// reads: the interleaving that lost a confirm in issue 19. With oneByOne
// the saves do not overlap either (the directory lock never meets a
// holder; the check that the state is unchanged must refuse).
func runConcurrently(t *testing.T, dir string, oneByOne bool, ops map[string]func(d *Device) error) []*run {
	t.Helper()
	var wg, opened sync.WaitGroup
	var saving sync.Mutex
	opened.Add(len(ops))
	var runs []*run
	for name, op := range ops {
		r := &run{name: name}
		runs = append(runs, r)
		wg.Go(func() {
			d, err := Open(dir)
			opened.Done()
			if err != nil {
				r.err = err
				return
			}
			r.read = d.sums
			opened.Wait()
			r.opErr = op(d)
			if oneByOne {
				saving.Lock()
				defer saving.Unlock()
			}
			if r.err = d.Save(); r.err == nil {
				r.saved, r.written = true, d.sums
			}
		})
	}
	wg.Wait()
	return runs
}

// checkSerial: exactly one save went through, the others were refused
// for the concurrency (not for anything else), and the state on disk is
// the one that save wrote.
func checkSerial(t *testing.T, dir string, runs []*run) *run {
	t.Helper()
	var saved []*run
	for _, r := range runs {
		switch {
		case r.saved:
			saved = append(saved, r)
		case !errors.Is(r.err, ErrStateChanged) && !errors.Is(r.err, lock.ErrHeld):
			t.Fatalf("%s: save failed with %v", r.name, r.err)
		}
	}
	// All read the same state, so only one save may go through: a second
	// would silently undo the first one's writes.
	if len(saved) != 1 {
		t.Fatalf("%d commands saved over the same state", len(saved))
	}
	last := saved[0]
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.sums != last.written {
		t.Fatalf("state on disk is not what %s saved", last.name)
	}
	return last
}

// TestConcurrentConfirmAndReject: issue 19 saw confirm print "eFuse 1 ->
// 2" while the final eFuse said 1. Whatever the interleaving, a confirm
// that saved is on disk.
func TestConcurrentConfirmAndReject(t *testing.T) {
	for i := range 5 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := trialDir(t)
			var confirmed ConfirmResult
			runs := runConcurrently(t, dir, i%2 == 0, map[string]func(d *Device) error{
				"confirm": func(d *Device) (err error) { confirmed, err = d.Confirm(); return err },
				"reject":  func(d *Device) error { _, err := d.Reject(); return err },
			})
			last := checkSerial(t, dir, runs)
			d, _ := Open(dir)
			if last.name == "confirm" && d.EFuses().SecureVersion() != confirmed.EFuseAfter {
				t.Fatalf("confirm saved eFuse %d -> %d, eFuse on disk %d", confirmed.EFuseBefore, confirmed.EFuseAfter, d.EFuses().SecureVersion())
			}
		})
	}
}

// TestConcurrentInstalls: two installs into the same slot; the slot and
// otadata on disk are one install's, never a mix.
func TestConcurrentInstalls(t *testing.T) {
	v2, v3 := app(t, 2, "2.0.0"), app(t, 3, "3.0.0")
	for i := range 5 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dev")
			if _, err := ProvisionDir(dir, testConfig(t)); err != nil {
				t.Fatal(err)
			}
			mustCmd(t, dir, nil, bootStep.run)
			runs := runConcurrently(t, dir, i%2 == 0, map[string]func(d *Device) error{
				"install 2.0.0": installStep(v2).run,
				"install 3.0.0": installStep(v3).run,
			})
			last := checkSerial(t, dir, runs)
			d, _ := Open(dir)
			tr := mustBoot(t, d, 1)
			if want := last.name[len("install "):]; tr.App.Version != want {
				t.Fatalf("booted %s, the last install saved was %s", tr.App.Version, want)
			}
		})
	}
}

// trialDir is a state directory in state B: 2.0.0 on trial in ota_1.
func trialDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dev")
	if _, err := ProvisionDir(dir, testConfig(t)); err != nil {
		t.Fatal(err)
	}
	for _, s := range []step{bootStep, installStep(app(t, 2, "2.0.0")), bootStep} {
		mustCmd(t, dir, nil, s.run)
	}
	if _, err := os.Stat(filepath.Join(dir, flashFile)); err != nil {
		t.Fatal(err)
	}
	return dir
}
