package emu

import (
	"errors"
	"fmt"

	"signbox/device/esp"
)

// RevokeResult says what a revocation did.
type RevokeResult struct {
	Slot int
	// LostFallback names app slots that verified before and no longer do:
	// the device still boots, but can no longer fall back to them.
	LostFallback []string
}

// RevokeKey burns SECURE_BOOT_KEY_REVOKEn, but only when the bootloader and
// the running app still verify with another, non-revoked key: revoking the
// key they depend on would brick the device at the next reset.
func (d *Device) RevokeKey(n int) (RevokeResult, error) {
	res, err := d.revoke(n)
	ev := revokeEvent{Slot: n, LostFallback: res.LostFallback}
	if err != nil {
		ev.Error = err.Error()
	}
	return res, errors.Join(err, d.record(EventRevoke, ev))
}

type revokeEvent struct {
	Slot         int      `json:"key_slot"`
	LostFallback []string `json:"lost_fallback,omitempty"`
	Error        string   `json:"error,omitempty"`
}

func (d *Device) revoke(n int) (RevokeResult, error) {
	res := RevokeResult{Slot: n}
	if n < 0 || n >= d.chip.KeySlots() {
		return res, fmt.Errorf("revoke key %d: %w: %s has key slots 0..%d", n, ErrNoSuchEFuse, d.chip, d.chip.KeySlots()-1)
	}
	if !d.chip.RevokeSlots() {
		return res, fmt.Errorf("revoke key %d: %w: %s has no SECURE_BOOT_KEY_REVOKE bits (one key slot, no rotation)", n, ErrNoSuchEFuse, d.chip)
	}
	if _, used := d.efuse.KeyDigest(n); !used {
		return res, fmt.Errorf("revoke key %d: slot holds no key digest", n)
	}
	if d.efuse.Revoked(n) {
		return res, fmt.Errorf("revoke key %d: already revoked", n)
	}
	if d.running < 0 {
		return res, fmt.Errorf("revoke key %d: %w; boot the device first", n, ErrNotRunning)
	}
	m, ents, a, err := d.runningEntry(fmt.Sprintf("revoke key %d", n))
	if err != nil {
		return res, err
	}
	if ents[a].State != esp.OTAValid {
		// An unconfirmed app is aborted at the next reset; if the key also
		// signed the fallback, nothing would be left to boot.
		return res, fmt.Errorf("revoke key %d: %w: running app is %s; confirm it first", n, ErrRevokeUnsafe, ents[a].State)
	}
	region, _ := d.flash.view(BootloaderOffset, BootloaderMax)
	if _, err := d.checkBootloader(region, n); err != nil {
		return res, fmt.Errorf("revoke key %d: %w: bootloader: %w", n, ErrRevokeUnsafe, err)
	}
	if _, err := d.verifySlot(m.slots[d.running], n); err != nil {
		return res, fmt.Errorf("revoke key %d: %w: running app: %w", n, ErrRevokeUnsafe, err)
	}
	other := m.slots[1-d.running]
	if _, err := d.verifySlot(other, -1); err == nil {
		if _, err := d.verifySlot(other, n); err != nil {
			res.LostFallback = append(res.LostFallback, other.Label)
		}
	}
	if err := d.efuse.BurnRevoke(n); err != nil {
		return res, fmt.Errorf("revoke key %d: %w", n, err)
	}
	return res, nil
}
