package emu

import (
	"errors"
	"fmt"

	"signbox/device/esp"
)

// Boot resets the device and runs the boot chain: the ROM checks the
// bootloader, the bootloader reads the partition table and otadata, applies
// the rollback state machine, picks a slot, verifies it and falls back to
// the other one if it fails. The trace says what happened even when the
// boot fails. A power cut during one of the bootloader's own writes ends
// the boot with [ErrPowerCut].
func (d *Device) Boot() (*BootTrace, error) {
	d.power.on()
	d.running = -1
	t := &BootTrace{Slot: -1}
	d.parsed = map[uint32]*esp.Image{}
	err := d.boot(t)
	d.parsed = nil
	t.SecureVersion = d.efuse.SecureVersion()
	ev := bootEvent{Slot: t.Slot, Version: t.App.Version, SecureVersion: t.App.SecureVersion, EFuseSecureVersion: t.SecureVersion}
	if err != nil {
		ev.Error = err.Error()
	}
	return t, errors.Join(err, d.record(EventBoot, ev))
}

type bootEvent struct {
	Slot               int    `json:"slot"`
	Version            string `json:"version,omitempty"`
	SecureVersion      int    `json:"secure_version"`
	EFuseSecureVersion int    `json:"efuse_secure_version"`
	Error              string `json:"error,omitempty"`
}

func (d *Device) boot(t *BootTrace) error {
	if err := d.rom(t); err != nil {
		return err
	}
	m, err := d.readMap()
	if err != nil {
		t.add("bootloader", "partition table at 0x%x: %v; halting", PartitionTableOffset, err)
		return err
	}
	t.add("bootloader", "partition table ok: otadata 0x%x, ota_0 0x%x+0x%x, ota_1 0x%x+0x%x",
		m.otadata.Offset, m.slots[0].Offset, m.slots[0].Size, m.slots[1].Offset, m.slots[1].Size)
	return d.bootloader(t, m)
}

// rom is the first stage: with SECURE_BOOT_EN it verifies the bootloader
// against the non-revoked key digests and halts if none verifies.
func (d *Device) rom(t *BootTrace) error {
	if !d.efuse.Flag(SecureBootEn) {
		t.add("rom", "SECURE_BOOT_EN not burned; refusing to run an unverified bootloader")
		return fmt.Errorf("%w: %w", ErrBootloaderRejected, ErrNotProvisioned)
	}
	b, _ := d.flash.view(BootloaderOffset, BootloaderMax)
	v, err := d.checkBootloader(b, -1)
	if err != nil {
		t.add("rom", "bootloader at 0x%x rejected: %v", BootloaderOffset, err)
		return fmt.Errorf("%w: %w", ErrBootloaderRejected, err)
	}
	t.add("rom", "secure boot v2: bootloader verified (%s, key slot %d)", v.Scheme(), v.Slot())
	return nil
}

// bootloader follows bootloader_utility_get_selected_boot_partition and
// bootloader_utility_load_boot_image with app rollback and anti-rollback
// enabled (esp-idf-formats.md §4-5).
func (d *Device) bootloader(t *BootTrace, m flashMap) error {
	ents, err := d.readOTA(m)
	if err != nil {
		return err
	}
	for i, e := range ents {
		t.add("bootloader", "otadata[%d]: %s", i, describeEntry(e))
	}
	if err := d.abortPending(t, m, &ents); err != nil {
		return err
	}
	t.add("bootloader", "eFuse secure version %d", d.efuse.SecureVersion())
	sel, err := d.selectEntry(t, m, &ents)
	if err != nil {
		return err
	}
	start := 0
	if sel >= 0 {
		start = entrySlot(ents[sel])
	}
	return d.loadWithFallback(t, m, ents, sel, start)
}

// abortPending: an entry still PENDING_VERIFY at boot had its one chance
// and becomes ABORTED, before anything is selected.
func (d *Device) abortPending(t *BootTrace, m flashMap, ents *[2]esp.OTAEntry) error {
	for i, e := range ents {
		if e.Usable() && e.State == esp.OTAPendingVerify {
			t.add("bootloader", "otadata[%d]: PENDING_VERIFY was never confirmed -> ABORTED", i)
			if err := d.writeOTA(m, i, e.Seq, esp.OTAAborted); err != nil {
				return err
			}
			ents[i].State = esp.OTAAborted
		}
	}
	return nil
}

// selectEntry picks the usable entry with the larger sequence number whose
// slot app is not below the eFuse floor; a NEW winner becomes
// PENDING_VERIFY before it is loaded. It returns -1 if none qualifies.
func (d *Device) selectEntry(t *BootTrace, m flashMap, ents *[2]esp.OTAEntry) (int, error) {
	var ok [2]bool
	for i, e := range ents {
		if !e.Usable() {
			continue
		}
		ok[i] = d.probeSecureVersion(m.slots[entrySlot(e)])
		if !ok[i] {
			t.add("bootloader", "otadata[%d]: %s app fails the anti-rollback check; skipping", i, m.slots[entrySlot(e)].Label)
		}
	}
	sel := pickEntry(*ents, ok)
	if sel < 0 {
		t.add("bootloader", "no usable otadata entry; trying ota_0")
		return -1, nil
	}
	e := ents[sel]
	t.add("bootloader", "selected otadata[%d] (seq %d, %s) -> %s", sel, e.Seq, e.State, m.slots[entrySlot(e)].Label)
	if e.State == esp.OTANew {
		t.add("bootloader", "otadata[%d]: NEW -> PENDING_VERIFY (this boot is its one trial)", sel)
		if err := d.writeOTA(m, sel, e.Seq, esp.OTAPendingVerify); err != nil {
			return sel, err
		}
		ents[sel].State = esp.OTAPendingVerify
	}
	return sel, nil
}

// loadWithFallback tries the chosen slot, then the other one.
func (d *Device) loadWithFallback(t *BootTrace, m flashMap, ents [2]esp.OTAEntry, sel, start int) error {
	for _, s := range []int{start, 1 - start} {
		info, err := d.verifySlot(m.slots[s], -1)
		if err != nil {
			t.add("bootloader", "%v", err)
			continue
		}
		t.add("bootloader", "%s verified: %q version %s, secure_version %d, key slot %d",
			m.slots[s].Label, info.Project, info.Version, info.SecureVersion, info.KeySlot)
		if err := d.afterLoad(t, m, ents, sel, s, info); err != nil {
			return err
		}
		d.running, t.Slot, t.App = s, s, info
		t.add("app", "running %s from %s", info.Version, m.slots[s].Label)
		return nil
	}
	t.add("bootloader", "no bootable app; halting")
	return ErrNoBootableApp
}

// afterLoad does the bootloader's writes once a slot verified: initialise
// blank otadata (set_actual_ota_seq), or raise the eFuse for an entry that
// is already VALID. Neither happens for a NEW or PENDING_VERIFY entry, so
// an unconfirmed app never raises the floor.
func (d *Device) afterLoad(t *BootTrace, m flashMap, ents [2]esp.OTAEntry, sel, slot int, info AppInfo) error {
	switch {
	case sel < 0 && blankOrBad(ents[0]) && blankOrBad(ents[1]):
		t.add("bootloader", "otadata blank or corrupt: otadata[0] := seq %d VALID (%s)", slot+1, m.slots[slot].Label)
		if err := d.writeOTA(m, 0, uint32(slot+1), esp.OTAValid); err != nil {
			return err
		}
	case sel >= 0 && entrySlot(ents[sel]) == slot && ents[sel].State == esp.OTAValid:
		// emulator: ESP-IDF raises the eFuse before loading the slot; doing it
		// after the signature check means a tampered VALID slot cannot raise it.
	default:
		return nil
	}
	return d.raise(t, "bootloader", info.SecureVersion)
}

func (d *Device) raise(t *BootTrace, stage string, v int) error {
	cur := d.efuse.SecureVersion()
	if v <= cur {
		return nil
	}
	if t != nil {
		t.add(stage, "eFuse secure version %d -> %d", cur, v)
	}
	return d.efuse.RaiseSecureVersion(v)
}

func describeEntry(e esp.OTAEntry) string {
	switch {
	case e.Seq == 0xFFFFFFFF:
		return "blank"
	case !e.CRCValid():
		return fmt.Sprintf("seq %d, CRC mismatch (ignored)", e.Seq)
	}
	return fmt.Sprintf("seq %d, %s -> ota_%d", e.Seq, e.State, entrySlot(e))
}
