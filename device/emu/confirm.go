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
