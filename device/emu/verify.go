package emu

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"signbox/device/esp"
)

// trust is the eFuse view VerifyDigests takes: digests with revoke bits.
// except marks one more slot as revoked, to ask "would it still verify
// without this key"; -1 for none.
func (d *Device) trust(except int) (digests [3][32]byte, revoked [3]bool) {
	for i := range KeySlots {
		if dg, used := d.efuse.KeyDigest(i); used {
			digests[i] = dg
		}
		revoked[i] = d.efuse.Revoked(i) || i == except
	}
	return digests, revoked
}

// checkImage verifies a parsed image the way the chip would: signature
// against non-revoked eFuse digests, kind, chip. It returns what the caller
// needs to know about the image.
func (d *Device) checkImage(img *esp.Image, kind esp.Kind, except int) (esp.Verified, error) {
	if img.Kind != kind {
		return esp.Verified{}, fmt.Errorf("%w: got a %s image, want %s", ErrWrongKind, img.Kind, kind)
	}
	if img.Header.Chip != d.chip {
		return esp.Verified{}, fmt.Errorf("%w: image is for %s, device is %s", ErrWrongChip, img.Header.Chip, d.chip)
	}
	if !img.Signed() {
		return esp.Verified{}, fmt.Errorf("%w: %w", ErrSignature, esp.ErrNotSigned)
	}
	digests, revoked := d.trust(except)
	v, err := img.VerifyDigests(digests, revoked)
	if err != nil {
		return esp.Verified{}, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return v, nil
}

// readSlotImage parses the image at the start of a flash region as the
// bootloader does (esp.ParseFlash).
func (d *Device) readSlotImage(p Partition) (*esp.Image, error) {
	if img, ok := d.parsed[p.Offset]; ok {
		return img, nil
	}
	b, err := d.flash.view(int(p.Offset), int(p.Size))
	if err != nil {
		return nil, err
	}
	img, err := esp.ParseFlash(b)
	if err == nil && d.parsed != nil {
		d.parsed[p.Offset] = img
	}
	return img, err
}

// verifySlot fully checks the app in slot p, including the anti-rollback
// floor, and describes it.
func (d *Device) verifySlot(p Partition, except int) (AppInfo, error) {
	img, err := d.readSlotImage(p)
	if err != nil {
		if errors.Is(err, esp.ErrBadMagic) {
			return AppInfo{}, fmt.Errorf("%s: no image", p.Label)
		}
		return AppInfo{}, fmt.Errorf("%s: %w", p.Label, err)
	}
	v, err := d.checkImage(img, esp.KindApp, except)
	if err != nil {
		return AppInfo{}, fmt.Errorf("%s: %w", p.Label, err)
	}
	if floor := d.efuse.SecureVersion(); int(v.SecureVersion()) < floor {
		return AppInfo{}, fmt.Errorf("%s: %w: secure_version %d < eFuse %d", p.Label, ErrDowngrade, v.SecureVersion(), floor)
	}
	return appInfo(img, v), nil
}

func appInfo(img *esp.Image, v esp.Verified) AppInfo {
	return AppInfo{
		Version:       img.App.Version,
		Project:       img.App.ProjectName,
		SecureVersion: int(v.SecureVersion()),
		KeySlot:       v.Slot(),
		SHA256:        sha256.Sum256(img.Bytes()),
		Size:          len(img.Bytes()),
	}
}

// probeSecureVersion is check_anti_rollback during otadata selection: it
// reads the descriptor without verifying the signature (that happens when
// the slot is loaded) and says whether the app is at or above the floor.
func (d *Device) probeSecureVersion(p Partition) bool {
	img, err := d.readSlotImage(p)
	if err != nil || img.Kind != esp.KindApp {
		return false
	}
	return int(img.SecureVersion()) >= d.efuse.SecureVersion()
}

// checkBootloader is the ROM's check of the bootloader region.
func (d *Device) checkBootloader(region []byte, except int) (esp.Verified, error) {
	img, err := esp.ParseFlash(region)
	if err != nil {
		return esp.Verified{}, err
	}
	return d.checkImage(img, esp.KindBootloader, except)
}
