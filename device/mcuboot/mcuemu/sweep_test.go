package mcuemu

import (
	"errors"
	"fmt"
	"testing"
)

// The power-cut sweep in the style of MCUboot's simulator
// (run_perm_with_fails) and of signbox/device/emu's: count the writes of a
// good run, then for every write i cut power just before it and,
// separately, halfway through it (a torn write); then reset and check that
// the device boots an image that verifies (old or new, never neither and
// never one below the hardware counter), that the counter moved only as
// the scenario allows, and that repeating the operations without cuts
// converges on the scenario's end state. Before the reset, the
// application side must refuse to act.

type step struct {
	name string
	run  func(d *Device) error
}

func install(img []byte, permanent bool) step {
	return step{fmt.Sprintf("install (permanent %v)", permanent), func(d *Device) error { return d.Install(img, permanent) }}
}

var (
	bootStep    = step{"boot", func(d *Device) error { _, err := d.Boot(); return err }}
	confirmStep = step{"confirm", func(d *Device) error { return d.Confirm() }}
)

type scenario struct {
	name  string
	long  bool // run only outside -race (sweep_long_test.go)
	mode  Mode
	setup func(t testing.TB) *Device
	steps []step
	// versions the device may boot after a cut, and the highest counter
	// the cut run may leave.
	allowed    []uint8
	maxCounter uint32
	// converge brings the device to the scenario's end state without cuts
	// and checks it.
	converge func(t testing.TB, d *Device, where string)
}

func sweepScenarios(t testing.TB, l Layout) []scenario {
	f := getFixture(t)
	fresh := func(mode Mode) func(testing.TB) *Device {
		return func(t testing.TB) *Device { return newDeviceOn(t, l, mode) }
	}
	onV3 := func(t testing.TB) *Device {
		d := newDeviceOn(t, l, SwapMove)
		if err := d.Install(f.v3, true); err != nil {
			t.Fatal(err)
		}
		mustBoot(t, d, 3)
		return d
	}
	// afterSwaps: a device that already went through a confirmed test
	// swap (1.0.0 -> 2.0.0), so both trailers and the status area hold
	// what an earlier swap left.
	afterSwaps := func(t testing.TB) *Device {
		d := newDeviceOn(t, l, SwapMove)
		if err := d.Install(f.v2, false); err != nil {
			t.Fatal(err)
		}
		mustBoot(t, d, 2)
		if err := d.Confirm(); err != nil {
			t.Fatal(err)
		}
		mustBoot(t, d, 2)
		return d
	}
	var scs []scenario
	scs = append(scs,
		scenario{
			name: "second test upgrade after a swap, reverted", mode: SwapMove, setup: afterSwaps, long: true,
			steps:   []step{install(f.v3, false), bootStep, bootStep},
			allowed: []uint8{2, 3}, maxCounter: 2,
			converge: settlesOn(2, 2),
		},
		scenario{
			name: "second test upgrade after a swap, confirmed", mode: SwapMove, setup: afterSwaps, long: true,
			steps:   []step{install(f.v3, false), bootStep, confirmStep, bootStep},
			allowed: []uint8{2, 3}, maxCounter: 3,
			converge: convergeOn(f.v3, 3, 3),
		},
		scenario{
			name: "test upgrade, boot, confirm, boot", mode: SwapMove, setup: fresh(SwapMove),
			steps:   []step{install(f.v2, false), bootStep, confirmStep, bootStep},
			allowed: []uint8{1, 2}, maxCounter: 2,
			converge: convergeOn(f.v2, 2, 2),
		},
		scenario{
			name: "test upgrade, boot, boot (revert)", mode: SwapMove, setup: fresh(SwapMove),
			steps:   []step{install(f.v2, false), bootStep, bootStep},
			allowed: []uint8{1, 2}, maxCounter: 1,
			converge: settlesOn(1, 1),
		},
		scenario{
			name: "permanent upgrade, boot", mode: SwapMove, setup: fresh(SwapMove),
			steps:   []step{install(f.v2, true), bootStep},
			allowed: []uint8{1, 2}, maxCounter: 2,
			converge: convergeOn(f.v2, 2, 2),
		},
		scenario{
			name: "foreign-key candidate, boot", mode: SwapMove, setup: fresh(SwapMove),
			steps:   []step{install(f.foreign, true), bootStep},
			allowed: []uint8{1}, maxCounter: 1,
			converge: settlesOn(1, 1),
		},
		scenario{
			name: "downgrade candidate, boot", mode: SwapMove, setup: onV3,
			steps:   []step{install(f.v2, true), bootStep},
			allowed: []uint8{3}, maxCounter: 3,
			converge: settlesOn(3, 3),
		},
		scenario{
			name: "overwrite upgrade, boot", mode: OverwriteOnly, setup: fresh(OverwriteOnly),
			steps:   []step{install(f.v2, false), bootStep},
			allowed: []uint8{1, 2}, maxCounter: 2,
			converge: convergeOn(f.v2, 2, 2),
		},
		scenario{
			name: "overwrite foreign-key candidate, boot", mode: OverwriteOnly, setup: fresh(OverwriteOnly),
			steps:   []step{install(f.foreign, false), bootStep},
			allowed: []uint8{1}, maxCounter: 1,
			converge: settlesOn(1, 1),
		},
	)
	return scs
}

// convergeOn: boot; confirm an unconfirmed new image, or install it
// again (permanently) if the old one runs; then the device runs major
// with the counter at counter, and stays there.
func convergeOn(img []byte, major uint8, counter uint32) func(testing.TB, *Device, string) {
	return func(t testing.TB, d *Device, where string) {
		t.Helper()
		tr := mustBoot(t, d, 0)
		if tr.Version.Major != major {
			if err := d.Install(img, true); err != nil {
				t.Fatalf("%s: install again: %v", where, err)
			}
			mustBoot(t, d, major)
		}
		if err := d.Confirm(); err != nil {
			t.Fatalf("%s: confirm: %v", where, err)
		}
		for range 2 {
			if tr := mustBoot(t, d, major); tr.Swap != SwapNone || d.SecurityCounter() != counter {
				t.Fatalf("%s: did not settle on %d.0.0 with counter %d:\n%s", where, major, counter, tr)
			}
		}
	}
}

// settlesOn: two resets later the device runs major, swap type none,
// with the counter at counter.
func settlesOn(major uint8, counter uint32) func(testing.TB, *Device, string) {
	return func(t testing.TB, d *Device, where string) {
		t.Helper()
		mustBoot(t, d, 0)
		mustBoot(t, d, 0)
		if tr := mustBoot(t, d, major); tr.Swap != SwapNone || d.SecurityCounter() != counter {
			t.Fatalf("%s: did not settle on %d.0.0 with counter %d:\n%s", where, major, counter, tr)
		}
	}
}

func runSteps(d *Device, steps []step) error {
	for _, s := range steps {
		if err := s.run(d); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// sweep runs one scenario's full sweep and returns the number of cut runs.
func sweep(t testing.TB, sc scenario) int {
	t.Helper()
	base := sc.setup(t)
	good := base.Clone()
	if err := runSteps(good, sc.steps); err != nil {
		t.Fatalf("good run: %v", err)
	}
	n := good.Power().Writes() - base.Power().Writes()
	runs := 0
	for cut := 1; cut <= n; cut++ {
		for _, tear := range []bool{false, true} {
			where := fmt.Sprintf("cut at write %d/%d (torn %v)", cut, n, tear)
			d := base.Clone()
			d.Power().CutAt(cut, tear)
			if err := runSteps(d, sc.steps); !errors.Is(err, ErrPowerCut) {
				t.Fatalf("%s: run ended with %v, want a power cut", where, err)
			}
			d.Power().Disarm()
			// Before the reset nothing runs, so the application side
			// refuses, without a write, rather than work over a half-done
			// operation.
			w := d.Power().Writes()
			if err := d.Install(getFixture(t).v3, true); !errors.Is(err, ErrNotRunning) {
				t.Fatalf("%s: install before a reset: %v, want ErrNotRunning", where, err)
			}
			if err := d.Confirm(); !errors.Is(err, ErrNotRunning) {
				t.Fatalf("%s: confirm before a reset: %v", where, err)
			}
			if d.Power().Writes() != w {
				t.Fatalf("%s: a refused operation wrote", where)
			}
			afterCut(t, sc, d, where)
			runs++
		}
	}
	return runs
}

// afterCut resets the device and checks the invariants, then convergence.
func afterCut(t testing.TB, sc scenario, d *Device, where string) {
	t.Helper()
	tr, err := d.Boot()
	if err != nil {
		t.Fatalf("%s: device does not boot: %v\n%s", where, err, tr)
	}
	checkBooted(t, d, tr) // verifies independently, SEC_CNT >= counter
	ok := false
	for _, v := range sc.allowed {
		ok = ok || tr.Version.Major == v
	}
	if !ok {
		t.Fatalf("%s: booted %s, want one of %v\n%s", where, tr.Version, sc.allowed, tr)
	}
	if d.SecurityCounter() > sc.maxCounter {
		t.Fatalf("%s: counter %d, the scenario allows at most %d\n%s", where, d.SecurityCounter(), sc.maxCounter, tr)
	}
	sc.converge(t, d, where)
}

// sweepLayouts are the layouts TestPowerCutSweep runs: 4 KiB sectors with
// 8-byte writes always; sweep_long_test.go adds 1 KiB sectors with byte
// writes (more sectors per image, torn writes that land single bytes,
// three times the runs) outside -race and -short.
var sweepLayouts = []Layout{testLayout}

// longSweep adds the long scenarios; sweep_long_test.go sets it outside -race.
var longSweep = false

func layoutName(l Layout) string {
	return fmt.Sprintf("%dB-sectors-%dB-writes", l.SectorSize, l.WriteSize)
}

func TestPowerCutSweep(t *testing.T) {
	for _, l := range sweepLayouts {
		for _, sc := range sweepScenarios(t, l) {
			t.Run(layoutName(l)+"/"+sc.mode.String()+"/"+sc.name, func(t *testing.T) {
				if (l != testLayout || sc.long) && testing.Short() {
					t.Skip("-short: the 4 KiB layout's short scenarios only")
				}
				if sc.long && !longSweep {
					t.Skip("under -race the long scenarios run only in BenchmarkPowerCutSweep and plain go test")
				}
				runs := sweep(t, sc)
				if runs == 0 {
					t.Fatal("the good run made no writes")
				}
				t.Logf("%d cut runs", runs)
			})
		}
	}
}
