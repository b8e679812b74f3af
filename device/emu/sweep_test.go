package emu

import (
	"errors"
	"fmt"
	"testing"

	"signbox/device/esp"
)

// The power-cut sweep in the style of MCUboot's simulator
// (run_perm_with_fails): count the writes of a good run, then for every
// write i cut power just before it and, separately, halfway through it
// (a torn write); then either reboot and check the invariants, or run the
// next command without a reboot (afterCutNoReboot).

// step is one operation of a scenario.
type step struct {
	name string
	run  func(d *Device) error
}

type scenario struct {
	name  string
	setup func(t testing.TB) *Device // the device before the run
	steps []step
	// check runs after the cut and the recovery boot; confirmStart is the
	// write count at which the confirm step began in the good run (0 if
	// the scenario has none) and cut the write that failed.
	check func(t testing.TB, d *Device, tr *BootTrace, cut, confirmStart int)
}

func installStep(image []byte) step {
	return step{"install", func(d *Device) error { _, err := d.Install(AppImage(image)); return err }}
}

var (
	bootStep    = step{"boot", func(d *Device) error { _, err := d.Boot(); return err }}
	confirmStep = step{"confirm", func(d *Device) error { _, err := d.Confirm(); return err }}
	rejectStep  = step{"reject", func(d *Device) error { _, err := d.Reject(); return err }}
)

func sweepScenarios(t testing.TB) []scenario {
	v2 := app(t, 2, "2.0.0")
	return []scenario{
		{
			name: "first boot after provisioning",
			setup: func(t testing.TB) *Device {
				res, err := Provision(testConfig(t))
				if err != nil {
					t.Fatal(err)
				}
				return res.Device
			},
			steps: []step{bootStep},
			check: func(t testing.TB, d *Device, _ *BootTrace, _, _ int) {
				// Converges: another boot leaves otadata initialised and the floor at 1.
				tr := mustBoot(t, d, 0)
				if tr.SecureVersion != 1 {
					t.Fatalf("eFuse %d after recovery, want 1", tr.SecureVersion)
				}
			},
		},
		{
			name:  "install, first boot, confirm",
			setup: booted,
			steps: []step{installStep(v2), bootStep, confirmStep},
			check: func(t testing.TB, d *Device, tr *BootTrace, cut, confirmStart int) {
				if cut <= confirmStart && d.EFuses().SecureVersion() != 1 {
					t.Fatalf("eFuse raised to %d by a run cut before confirm", d.EFuses().SecureVersion())
				}
				checkUpdateConverges(t, d, tr, v2)
			},
		},
		{
			name:  "install, first boot, reject",
			setup: booted,
			steps: []step{installStep(v2), bootStep, rejectStep},
			check: func(t testing.TB, d *Device, tr *BootTrace, _, _ int) {
				if d.EFuses().SecureVersion() != 1 {
					t.Fatalf("eFuse raised to %d without a confirm", d.EFuses().SecureVersion())
				}
				checkUpdateConverges(t, d, tr, v2)
			},
		},
	}
}

// checkUpdateConverges: an unconfirmed v2 reverts after one reset, and
// repeating install/boot/confirm without cuts ends on v2 with the floor at 2.
func checkUpdateConverges(t testing.TB, d *Device, tr *BootTrace, v2 []byte) {
	t.Helper()
	if tr.App.Version == "2.0.0" && runningState(t, d) == esp.OTAPendingVerify {
		tr = mustBoot(t, d, 0)
		if tr.App.Version != "1.0.0" {
			t.Fatalf("unconfirmed update did not revert:\n%s", tr)
		}
	}
	if tr.App.Version == "1.0.0" {
		if _, err := d.Install(AppImage(v2)); err != nil {
			t.Fatalf("repeat install: %v", err)
		}
		mustBoot(t, d, 1)
	}
	if _, err := d.Confirm(); err != nil {
		t.Fatalf("confirm after recovery: %v", err)
	}
	tr = mustBoot(t, d, 1)
	if tr.App.Version != "2.0.0" || tr.SecureVersion != 2 {
		t.Fatalf("did not converge on 2.0.0 with eFuse 2:\n%s", tr)
	}
}

func runningState(t testing.TB, d *Device) esp.OTAState {
	m, ents, a, err := d.runningEntry("test")
	_ = m
	if err != nil {
		return esp.OTAUndefined
	}
	return ents[a].State
}

// runSteps runs steps in order, stopping at the first error. It returns
// the write count (relative to start) at which each step began.
func runSteps(d *Device, steps []step) ([]int, error) {
	start := d.Power().Writes()
	var begins []int
	for _, s := range steps {
		begins = append(begins, d.Power().Writes()-start)
		if err := s.run(d); err != nil {
			return begins, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return begins, nil
}

// sweep runs one scenario's full sweep and returns the number of cut runs.
func sweep(t testing.TB, sc scenario) int {
	base := sc.setup(t)
	good := base.Clone()
	begins, err := runSteps(good, sc.steps)
	if err != nil {
		t.Fatalf("good run: %v", err)
	}
	n := good.Power().Writes() - base.Power().Writes()
	confirmStart := n + 1
	for i, s := range sc.steps {
		if s.name == "confirm" {
			confirmStart = begins[i]
		}
	}
	runs := 0
	for cut := 1; cut <= n; cut++ {
		for _, tear := range []bool{false, true} {
			for _, reboot := range []bool{true, false} {
				d := base.Clone()
				d.Power().CutAt(cut, tear)
				if _, err := runSteps(d, sc.steps); !errors.Is(err, ErrPowerCut) {
					t.Fatalf("cut at write %d/%d (torn %v): run ended with %v, want a power cut", cut, n, tear, err)
				}
				d.Power().Disarm()
				where := fmt.Sprintf("cut at write %d/%d (torn %v, reboot %v)", cut, n, tear, reboot)
				if reboot {
					afterCutReboot(t, sc, d, cut, confirmStart)
				} else {
					afterCutNoReboot(t, d, where)
				}
				runs++
			}
		}
	}
	return runs
}

// afterCutReboot resets the device after the cut and checks the scenario.
func afterCutReboot(t testing.TB, sc scenario, d *Device, cut, confirmStart int) {
	t.Helper()
	tr, err := d.Boot()
	if err != nil {
		t.Fatalf("cut at write %d: device does not boot: %v\n%s", cut, err, tr)
	}
	if tr.App.SecureVersion < tr.SecureVersion {
		t.Fatalf("cut at write %d: booted secure_version %d below eFuse %d", cut, tr.App.SecureVersion, tr.SecureVersion)
	}
	sc.check(t, d, tr, cut, confirmStart)
}

func TestPowerCutSweep(t *testing.T) {
	for _, sc := range sweepScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			runs := sweep(t, sc)
			if runs == 0 {
				t.Fatal("the good run made no writes")
			}
			t.Logf("%d cut runs", runs)
		})
	}
}

// "Cut, then the next command without a reboot": a chip always resets
// after a power cut, but the emulator's own process can die between the
// flash and the eFuse file, and the next command then runs on what the
// cut left with the app still marked running. The next command here is
// the worst one: installing an app older than 2.0.0 (1.0.1, secure
// version 1). Whatever the cut left, an app recorded as confirmed must not
// be undercut, then and after the next reboot.

// recordedFloor is the test's own reading of otadata: the highest
// secure_version of an app whose slot a well-formed VALID entry names.
func recordedFloor(t testing.TB, d *Device) int {
	t.Helper()
	m, err := d.readMap()
	if err != nil {
		t.Fatal(err)
	}
	ents, err := d.readOTA(m)
	if err != nil {
		t.Fatal(err)
	}
	floor := d.EFuses().SecureVersion()
	for _, e := range ents {
		if e.Seq == 0xFFFFFFFF || !e.CRCValid() || e.State != esp.OTAValid {
			continue
		}
		b, _ := d.flash.view(int(m.slots[entrySlot(e)].Offset), int(m.slots[0].Size))
		if img, err := esp.ParseFlash(b); err == nil && img.Kind == esp.KindApp {
			floor = max(floor, int(img.SecureVersion()))
		}
	}
	return floor
}

// resume restores power without a reset: what runs stays running.
func resume(d *Device) { d.power.on() }

func afterCutNoReboot(t testing.TB, d *Device, where string) {
	t.Helper()
	resume(d)
	recorded := recordedFloor(t, d)
	_, err := d.Install(AppImage(olderApp(t)))
	if recorded > 1 && !errors.Is(err, ErrDowngrade) {
		t.Fatalf("%s: 2.0.0 is recorded confirmed, installing 1.0.1 without a reboot gave %v, want a downgrade refusal", where, err)
	}
	tr, err := d.Boot()
	if err != nil {
		t.Fatalf("%s: device does not boot after the next command: %v\n%s", where, err, tr)
	}
	if tr.App.SecureVersion < tr.SecureVersion || tr.SecureVersion < recorded {
		t.Fatalf("%s: booted secure_version %d, eFuse %d, recorded confirmed %d\n%s", where, tr.App.SecureVersion, tr.SecureVersion, recorded, tr)
	}
	convergeOnV2(t, d, where)
}

func olderApp(t testing.TB) []byte { return app(t, 1, "1.0.1") }

// convergeOnV2: once the cuts stop, resets settle any unconfirmed app and
// install, boot and confirm end on 2.0.0 with the floor at 2.
func convergeOnV2(t testing.TB, d *Device, where string) {
	t.Helper()
	tr, err := d.Boot()
	for i := 0; err == nil && i < 2 && runningUnconfirmed(t, d); i++ {
		tr, err = d.Boot()
	}
	if err != nil {
		t.Fatalf("%s: reset: %v\n%s", where, err, tr)
	}
	if tr.App.Version != "2.0.0" {
		steps := []step{installStep(app(t, 2, "2.0.0")), bootStep, confirmStep}
		if _, err := runSteps(d, steps); err != nil {
			t.Fatalf("%s: update after recovery: %v", where, err)
		}
	}
	if tr, err = d.Boot(); err != nil || tr.App.Version != "2.0.0" || tr.SecureVersion != 2 {
		t.Fatalf("%s: did not converge on 2.0.0 with eFuse 2 (%v):\n%s", where, err, tr)
	}
}

func runningUnconfirmed(t testing.TB, d *Device) bool {
	m, err := d.readMap()
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := d.readOTA(m)
	i := runningEntryIndex(ents, d.running)
	return i >= 0 && ents[i].State == esp.OTAPendingVerify
}
