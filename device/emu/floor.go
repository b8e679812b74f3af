package emu

import (
	"fmt"

	"signbox/device/esp"
)

// Floor is the anti-rollback floor the app side enforces: the eFuse
// secure version, raised to the secure_version of the running app once
// its otadata entry says VALID.
//
// Confirm writes VALID before it burns the eFuse (as
// esp_ota_mark_app_valid_cancel_rollback does), so a crash between the two
// leaves a confirmed app and an eFuse that does not know it yet; the
// bootloader burns the pending raise at the next boot. Until then the
// installer and reject go by what is recorded as confirmed, so nothing
// older than the confirmed app can be installed or rolled back to in that
// window, with or without a reboot.
type Floor struct {
	Value int // the higher of the two below
	EFuse int // burned SECURE_VERSION
	// Confirmed is the secure_version of the running app when its entry
	// is VALID, else 0; Pending says it is above EFuse, i.e. a raise the
	// next boot will burn.
	Confirmed int
	Pending   bool
}

func (f Floor) String() string {
	if !f.Pending {
		return fmt.Sprintf("eFuse %d", f.EFuse)
	}
	return fmt.Sprintf("%d, the confirmed running app's (eFuse %d, raised at the next boot)", f.Value, f.EFuse)
}

// AntiRollbackFloor reports the floor the installer checks now.
func (d *Device) AntiRollbackFloor() Floor {
	m, err := d.readMap()
	if err != nil {
		return d.floorOf(0)
	}
	return d.floor(m)
}

func (d *Device) floor(m flashMap) Floor {
	ents, err := d.readOTA(m)
	if err != nil || d.running < 0 {
		return d.floorOf(0)
	}
	i := runningEntryIndex(ents, d.running)
	if i < 0 || ents[i].State != esp.OTAValid {
		return d.floorOf(0)
	}
	info, err := d.verifySlot(m.slots[d.running], -1)
	if err != nil {
		return d.floorOf(0)
	}
	return d.floorOf(info.SecureVersion)
}

func (d *Device) floorOf(confirmed int) Floor {
	f := Floor{EFuse: d.efuse.SecureVersion(), Confirmed: confirmed}
	f.Value, f.Pending = max(f.EFuse, confirmed), confirmed > f.EFuse
	return f
}

// runningEntryIndex is the newest well-formed otadata entry naming the
// running slot, whatever its state, or -1: the latest record of what the
// slot holds (esp_ota_get_state_partition).
func runningEntryIndex(ents [2]esp.OTAEntry, running int) int {
	idx := -1
	for i, e := range ents {
		if e.Seq != 0xFFFFFFFF && e.CRCValid() && entrySlot(e) == running && (idx < 0 || e.Seq > ents[idx].Seq) {
			idx = i
		}
	}
	return idx
}

// checkFloor refuses a secure_version below the floor.
func checkFloor(sv int, f Floor) error {
	if sv < f.Value {
		return fmt.Errorf("%w: secure_version %d < %s", ErrDowngrade, sv, f)
	}
	return nil
}
