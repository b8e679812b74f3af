package emu

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"signbox/internal/atomicfile"
)

// TestConfirmCutThenInstallWithoutReboot is issue 19's crash: 2.0.0 on
// trial, `device confirm` cut at each of its writes (clean and torn), then
// an install of an older app without a reboot. It must be refused at
// every cut: as a downgrade once VALID is written (the eFuse raise is
// still pending), as unconfirmed before that. After the next reboot the
// device runs 2.0.0 with the eFuse burned if VALID was written, else 1.0.0.
func TestConfirmCutThenInstallWithoutReboot(t *testing.T) {
	trial := faultStates(t)["B"]
	probe := trial().Clone()
	start := probe.Power().Writes()
	if _, err := probe.Confirm(); err != nil {
		t.Fatal(err)
	}
	n := probe.Power().Writes() - start
	// Confirm's writes: erase the entry's sector, program VALID, burn
	// SECURE_VERSION. VALID is recorded once write 2 completed.
	if n != 3 {
		t.Fatalf("confirm made %d writes, want 3", n)
	}
	for cut := 1; cut <= n; cut++ {
		for _, tear := range []bool{false, true} {
			t.Run(fmt.Sprintf("cut %d torn %v", cut, tear), func(t *testing.T) {
				d := trial()
				d.Power().CutAt(cut, tear)
				mustIs(t, func() error { _, err := d.Confirm(); return err }(), ErrPowerCut)
				d.Power().Disarm()
				resume(d)
				valid := cut == n
				_, err := d.Install(AppImage(olderApp(t)))
				switch {
				case valid && !errors.Is(err, ErrDowngrade):
					t.Fatalf("VALID written: install gave %v, want %v", err, ErrDowngrade)
				case !valid && !errors.Is(err, ErrUnconfirmed):
					t.Fatalf("VALID not written: install gave %v, want %v", err, ErrUnconfirmed)
				}
				want, floor := "1.0.0", 1
				if valid {
					want, floor = "2.0.0", 2
				}
				tr, err := d.Boot()
				if err != nil || tr.App.Version != want || tr.SecureVersion != floor {
					t.Fatalf("reboot: %v, want %s with eFuse %d\n%s", err, want, floor, tr)
				}
			})
		}
	}
}

// TestCrashBetweenStateFilesThenInstall is the same crash as the CLI met
// it: `device confirm` saved flash.bin (entry VALID) and died before
// efuse.bin, so the next command opens a VALID 2.0.0, an eFuse at 1 and
// the runtime file still saying ota_1 runs. Installing 1.0.1 is refused;
// the next boot burns the pending raise.
func TestCrashBetweenStateFilesThenInstall(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	for _, op := range []step{bootStep, installStep(app(t, 2, "2.0.0")), bootStep} {
		mustCmd(t, dir, now, op.run)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Replace(filepath.Join(dir, flashFile), d.flash.mem, 0o600); err != nil {
		t.Fatal(err)
	}

	err = cmd(t, dir, now, func(d *Device) error {
		if f := d.AntiRollbackFloor(); f.Value != 2 || f.EFuse != 1 || !f.Pending {
			t.Errorf("floor after the crash: %+v", f)
		}
		if s := d.Status().String(); !strings.Contains(s, "secure version:   1 (eFuse), 2 confirmed: the next boot burns it") {
			t.Errorf("status does not show the pending raise:\n%s", s)
		}
		_, err := d.Install(AppImage(olderApp(t)))
		return err
	})
	mustIs(t, err, ErrDowngrade)
	mustCmd(t, dir, now, func(d *Device) error {
		tr, err := d.Boot()
		if err == nil && (tr.App.Version != "2.0.0" || tr.SecureVersion != 2) {
			t.Errorf("boot after the crash:\n%s", tr)
		}
		return err
	})
}

// TestRejectAfterConfirmCutRefused: with VALID written and the eFuse raise
// pending, reject must not roll back to the older app either.
func TestRejectAfterConfirmCutRefused(t *testing.T) {
	d := faultStates(t)["B"]()
	d.Power().CutAt(3, false) // the SECURE_VERSION burn
	mustIs(t, func() error { _, err := d.Confirm(); return err }(), ErrPowerCut)
	d.Power().Disarm()
	resume(d)
	_, err := d.Reject()
	mustIs(t, err, ErrRollbackImpossible)
	mustIs(t, err, ErrDowngrade)
	tr := mustBoot(t, d, 1)
	if tr.SecureVersion != 2 {
		t.Fatalf("eFuse %d after reboot, want 2", tr.SecureVersion)
	}
}
