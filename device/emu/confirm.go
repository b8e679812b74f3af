package emu

import (
	"errors"
	"fmt"

	"signbox/device/esp"
)

// ConfirmResult says what a confirmation changed.
type ConfirmResult struct {
	Slot        int
	App         AppInfo
	WasState    esp.OTAState // the entry's state before: PENDING_VERIFY normally, VALID if already confirmed
	EFuseBefore int
	EFuseAfter  int
}

// Confirm is esp_ota_mark_app_valid_cancel_rollback, called by the app once
// its health check passed: the active otadata entry becomes VALID, and only
// after that write completes is the eFuse secure version raised to the
// app's. A power cut between the two leaves a VALID entry whose app the
// bootloader raises the eFuse for on the next boot.
func (d *Device) Confirm() (ConfirmResult, error) {
	res, err := d.confirm()
	ev := confirmEvent{Slot: res.Slot, Version: res.App.Version, SecureVersion: res.App.SecureVersion,
		EFuseBefore: res.EFuseBefore, EFuseAfter: res.EFuseAfter}
	if err != nil {
		ev.Error = err.Error()
	}
	return res, errors.Join(err, d.record(EventConfirm, ev))
}

type confirmEvent struct {
	Slot          int    `json:"slot"`
	Version       string `json:"version,omitempty"`
	SecureVersion int    `json:"secure_version"`
	EFuseBefore   int    `json:"efuse_before"`
	EFuseAfter    int    `json:"efuse_after"`
	Error         string `json:"error,omitempty"`
}

func (d *Device) confirm() (ConfirmResult, error) {
	res := ConfirmResult{Slot: d.running, EFuseBefore: d.efuse.SecureVersion()}
	res.EFuseAfter = res.EFuseBefore
	m, ents, a, err := d.runningEntry("confirm")
	if err != nil {
		return res, err
	}
	info, err := d.verifySlot(m.slots[d.running], -1)
	if err != nil {
		return res, fmt.Errorf("confirm: running app no longer verifies: %w", err)
	}
	res.App, res.WasState = info, ents[a].State
	if ents[a].State != esp.OTAValid {
		if err := d.writeOTA(m, a, ents[a].Seq, esp.OTAValid); err != nil {
			return res, fmt.Errorf("confirm: mark VALID: %w", err)
		}
	}
	if err := d.raise(nil, "", info.SecureVersion); err != nil {
		return res, fmt.Errorf("confirm: raise eFuse secure version: %w", err)
	}
	res.EFuseAfter = d.efuse.SecureVersion()
	return res, nil
}

// runningEntry finds the active otadata entry and checks that it is the
// one the running app was booted from.
func (d *Device) runningEntry(op string) (flashMap, [2]esp.OTAEntry, int, error) {
	var ents [2]esp.OTAEntry
	if d.running < 0 {
		return flashMap{}, ents, -1, fmt.Errorf("%s: %w; boot the device first", op, ErrNotRunning)
	}
	m, err := d.readMap()
	if err != nil {
		return m, ents, -1, fmt.Errorf("%s: %w", op, err)
	}
	if ents, err = d.readOTA(m); err != nil {
		return m, ents, -1, err
	}
	a := activeEntry(ents)
	if a < 0 || entrySlot(ents[a]) != d.running {
		return m, ents, -1, fmt.Errorf("%s: %w (running %s)", op, ErrNotActive, m.slots[d.running].Label)
	}
	return m, ents, a, nil
}

// Reject is esp_ota_mark_app_invalid_rollback_and_reboot: if the other slot
// holds an app the bootloader would accept, the running app's entry becomes
// INVALID and the device reboots into the other slot. Otherwise nothing is
// written and [ErrRollbackImpossible] is returned.
func (d *Device) Reject() (*BootTrace, error) {
	t, err := d.reject()
	ev := rejectEvent{Slot: d.running}
	if t != nil {
		ev.Slot = t.Slot
	}
	if err != nil {
		ev.Error = err.Error()
	}
	return t, errors.Join(err, d.record(EventReject, ev))
}

type rejectEvent struct {
	Slot  int    `json:"booted_slot"`
	Error string `json:"error,omitempty"`
}

func (d *Device) reject() (*BootTrace, error) {
	m, ents, a, err := d.runningEntry("reject")
	if err != nil {
		return nil, err
	}
	if err := d.rollbackPossible(m, ents, a); err != nil {
		return nil, fmt.Errorf("reject: %w: %w", ErrRollbackImpossible, err)
	}
	if err := d.writeOTA(m, a, ents[a].Seq, esp.OTAInvalid); err != nil {
		return nil, fmt.Errorf("reject: mark INVALID: %w", err)
	}
	return d.Boot()
}

// rollbackPossible is esp_ota_check_rollback_is_possible: the other
// otadata entry must be usable (not INVALID or ABORTED) and select a slot
// whose app the bootloader would accept.
func (d *Device) rollbackPossible(m flashMap, ents [2]esp.OTAEntry, a int) error {
	prev := ents[1-a]
	if !prev.Usable() || entrySlot(prev) == d.running {
		return fmt.Errorf("otadata[%d] (%s) names no other usable app", 1-a, describeEntry(prev))
	}
	info, err := d.verifySlot(m.slots[entrySlot(prev)], -1)
	if err != nil {
		return err
	}
	// A confirmed app whose eFuse raise is still pending counts as burned:
	// rolling back below it would undo the confirmation.
	return checkFloor(info.SecureVersion, d.floor(m))
}

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
