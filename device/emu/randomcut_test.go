package emu

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// TestRandomPowerCuts stacks random interruptions on one device while it
// works its way to a confirmed update (MCUboot's run_perm_with_random_fails):
// after every cut the device must boot, never run below the floor, and the
// procedure must still converge once the cuts stop.
func TestRandomPowerCuts(t *testing.T) {
	v2 := app(t, 2, "2.0.0")
	total := 0
	defer func() { t.Logf("%d power cuts over 40 runs", total) }()
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		d := booted(t)
		tr := &BootTrace{Slot: 0, App: AppInfo{Version: "1.0.0"}}
		cuts := 0
		for range 30 {
			if rng.IntN(10) < 7 {
				d.Power().CutAt(1+rng.IntN(12), rng.IntN(2) == 0)
			}
			done, err := updateStep(d, &tr, v2)
			if errors.Is(err, ErrPowerCut) {
				cuts++
				d.Power().Disarm()
				var berr error
				if tr, berr = d.Boot(); berr != nil {
					t.Fatalf("seed %d: after cut %d the device does not boot: %v\n%s", seed, cuts, berr, tr)
				}
				checkRunningAboveFloor(t, d, tr)
				continue
			}
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if done {
				break
			}
		}
		total += cuts
		d.Power().Disarm()
		for range 4 {
			done, err := updateStep(d, &tr, v2)
			if err != nil {
				t.Fatalf("seed %d: without cuts: %v", seed, err)
			}
			if done {
				break
			}
		}
		tr = mustBoot(t, d, tr.Slot)
		if tr.App.Version != "2.0.0" || tr.SecureVersion != 2 {
			t.Fatalf("seed %d: did not converge (%d cuts):\n%s", seed, cuts, tr)
		}
	}
}

// updateStep takes the next step toward 2.0.0 confirmed.
func updateStep(d *Device, tr **BootTrace, v2 []byte) (bool, error) {
	var err error
	switch {
	case d.Running() < 0:
		*tr, err = d.Boot()
	case (*tr).App.Version == "1.0.0":
		if _, err = d.Install(AppImage(v2)); err == nil {
			*tr, err = d.Boot()
		}
	case d.EFuses().SecureVersion() < 2:
		_, err = d.Confirm()
	default:
		return true, nil
	}
	return false, err
}

func checkRunningAboveFloor(t *testing.T, d *Device, tr *BootTrace) {
	t.Helper()
	floor := d.EFuses().SecureVersion()
	if tr.App.SecureVersion < floor || floor > 2 {
		t.Fatalf("running secure_version %d with eFuse %d\n%s", tr.App.SecureVersion, floor, tr)
	}
}
