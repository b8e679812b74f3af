package emu

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"signbox/device/esp"
)

// InstallResult says what an install wrote.
type InstallResult struct {
	Slot     int    // the slot written
	Label    string // its partition label
	App      AppInfo
	OTAEntry int    // otadata entry now NEW
	Seq      uint32 // its sequence number
}

// Source is something the installer can take an app image from. A signed
// app image file is one ([AppImage]); the release bundle will be another:
// it verifies its own manifest and signature first and then hands over the
// app image it carries.
type Source interface {
	// AppImage returns the signed app image to install, after whatever
	// checks the container itself needs.
	AppImage() ([]byte, error)
}

// AppImage is a signed app image file used directly as an install source.
type AppImage []byte

// AppImage implements [Source].
func (a AppImage) AppImage() ([]byte, error) { return a, nil }

// Install is what the running app's OTA task does with an update: check in
// order the signature chain, the target chip, secure_version against the
// eFuse and the size against the slot; then write the inactive slot, read
// it back and compare hashes, and only then point otadata at it as NEW.
// Nothing is written unless every check passes.
func (d *Device) Install(src Source) (InstallResult, error) {
	res, err := d.install(src)
	ev := installEvent{Slot: res.Slot, Version: res.App.Version, SecureVersion: res.App.SecureVersion}
	if err != nil {
		ev.Error = err.Error()
	}
	if res.App.Size > 0 {
		ev.SHA256 = fmt.Sprintf("%x", res.App.SHA256)
	}
	return res, errors.Join(err, d.record(EventInstall, ev))
}

type installEvent struct {
	Slot          int    `json:"slot"`
	Version       string `json:"version,omitempty"`
	SecureVersion int    `json:"secure_version,omitempty"`
	SHA256        string `json:"sha256,omitempty"`
	Error         string `json:"error,omitempty"`
}

func (d *Device) install(src Source) (InstallResult, error) {
	res := InstallResult{Slot: -1}
	if d.running < 0 {
		return res, fmt.Errorf("install: %w; boot the device first", ErrNotRunning)
	}
	m, err := d.readMap()
	if err != nil {
		return res, fmt.Errorf("install: %w", err)
	}
	if err := d.checkRunningConfirmed(m); err != nil {
		return res, fmt.Errorf("install: %w", err)
	}
	file, err := src.AppImage()
	if err != nil {
		return res, fmt.Errorf("install: %w", err)
	}
	target := 1 - d.running
	p := m.slots[target]
	info, err := d.checkUpdate(file, p, d.floor(m))
	if err != nil {
		return res, fmt.Errorf("install: %w", err)
	}
	res.Slot, res.Label, res.App = target, p.Label, info
	if err := d.writeSlot(p, file, info.SHA256); err != nil {
		return res, fmt.Errorf("install into %s: %w", p.Label, err)
	}
	res.OTAEntry, res.Seq, err = d.setBootSlot(m, target)
	if err != nil {
		return res, fmt.Errorf("install: set otadata: %w", err)
	}
	return res, nil
}

// checkUpdate runs the checks in order: signature chain, kind and chip,
// secure_version against the floor and the chip's eFuse field, size.
func (d *Device) checkUpdate(file []byte, p Partition, floor Floor) (AppInfo, error) {
	img, err := esp.ParseImage(file)
	if err != nil {
		return AppInfo{}, fmt.Errorf("%w: not a valid image: %w", ErrSignature, err)
	}
	if !img.Signed() {
		return AppInfo{}, fmt.Errorf("%w: %w", ErrSignature, esp.ErrNotSigned)
	}
	digests, revoked := d.trust(-1)
	v, err := img.VerifyDigests(digests, revoked)
	if err != nil {
		return AppInfo{}, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if img.Kind != esp.KindApp {
		return AppInfo{}, fmt.Errorf("%w: got a %s image, want an app", ErrWrongKind, img.Kind)
	}
	if img.Header.Chip != d.chip {
		return AppInfo{}, fmt.Errorf("%w: image is for %s, device is %s", ErrWrongChip, img.Header.Chip, d.chip)
	}
	if err := checkFloor(int(v.SecureVersion()), floor); err != nil {
		return AppInfo{}, err
	}
	if sv, bits := int(v.SecureVersion()), d.efuse.SecureVersionBits(); sv > bits {
		return AppInfo{}, fmt.Errorf("%w: secure_version %d, the %s %s field holds at most %d",
			ErrSecureVersionRange, sv, d.chip, d.chip.EFuseNames().SecureVersion, bits)
	}
	if len(file) > int(p.Size) {
		return AppInfo{}, fmt.Errorf("%w: %d bytes, %s holds %d", ErrTooLarge, len(file), p.Label, p.Size)
	}
	return appInfo(img, v), nil
}

// writeSlot erases and programs the slot, then reads it back and hashes
// it: a mismatch leaves otadata untouched, so the device keeps booting the
// running app.
func (d *Device) writeSlot(p Partition, file []byte, want [32]byte) error {
	if err := d.flash.write(int(p.Offset), file); err != nil {
		return err
	}
	got, err := d.flash.view(int(p.Offset), len(file))
	if err != nil {
		return err
	}
	if sha256.Sum256(got) != want {
		return ErrReadBack
	}
	return nil
}

// setBootSlot is esp_ota_set_boot_partition with rollback enabled: write
// the inactive otadata sector with the smallest sequence number above the
// active one that selects slot, state NEW. If slot is already the active
// entry's, only that entry's state is rewritten.
func (d *Device) setBootSlot(m flashMap, slot int) (int, uint32, error) {
	ents, err := d.readOTA(m)
	if err != nil {
		return -1, 0, err
	}
	idx, seq := 0, uint32(slot+1)
	if a := activeEntry(ents); a >= 0 {
		if entrySlot(ents[a]) == slot {
			idx, seq = a, ents[a].Seq
		} else {
			idx, seq = 1-a, nextSeq(ents[a].Seq, slot)
		}
	}
	return idx, seq, d.writeOTA(m, idx, seq, esp.OTANew)
}

// checkRunningConfirmed is esp_ota_begin's guard with rollback enabled: the
// otadata entry of the running slot (the newest one naming it) must not be
// PENDING_VERIFY, or the update would overwrite the only confirmed app.
//
// emulator: a running app whose entry is gone while otadata is not blank
// (a confirm or reject cut in its erase, then a command without a reboot;
// a chip always reboots after a power cut) counts as unconfirmed too:
// ESP-IDF would find no state for it and let the update overwrite the
// app the otadata still records as confirmed.
func (d *Device) checkRunningConfirmed(m flashMap) error {
	ents, err := d.readOTA(m)
	if err != nil {
		return err
	}
	idx := runningEntryIndex(ents, d.running)
	if idx < 0 && !(blankOrBad(ents[0]) && blankOrBad(ents[1])) {
		return fmt.Errorf("%w: %s has no otadata entry (an operation on it was cut short); reboot first", ErrUnconfirmed, m.slots[d.running].Label)
	}
	if idx >= 0 && ents[idx].State == esp.OTAPendingVerify {
		return fmt.Errorf("%w: %s is PENDING_VERIFY; confirm or reject it first", ErrUnconfirmed, m.slots[d.running].Label)
	}
	return nil
}
