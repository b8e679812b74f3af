package emu

import (
	"errors"
	"testing"

	"signbox/device/esp"
)

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
