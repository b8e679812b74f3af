package fleet

import (
	"crypto"
	"fmt"

	"signbox/device/emu"
)

// Installed says what the device did with a pulled release.
type Installed struct {
	Install emu.InstallResult
	Boot    *emu.BootTrace
	Confirm emu.ConfirmResult
}

// Install runs the device's own update path on a pulled bundle: the
// installer verifies the bundle under releaseKey against the device's
// eFuse key digests, product, chip and anti-rollback floor, writes the
// inactive slot and selects it; the device then boots it and confirms it
// (raising the eFuse floor). Any refusal leaves the running slot as it was.
func Install(d *emu.Device, p *Pulled, releaseKey crypto.PublicKey) (*Installed, error) {
	var out Installed
	var err error
	if out.Install, err = d.Install(emu.BundleSource(p.Dir, releaseKey, d)); err != nil {
		return nil, fmt.Errorf("install %s: %w", p.TargetPath, err)
	}
	if out.Boot, err = d.Boot(); err != nil {
		return &out, fmt.Errorf("boot %s: %w", p.TargetPath, err)
	}
	if out.Confirm, err = d.Confirm(); err != nil {
		return &out, fmt.Errorf("confirm %s: %w", p.TargetPath, err)
	}
	return &out, nil
}

// Current is the version of the app the device runs ("" if none).
func Current(d *emu.Device) string {
	s := d.Status()
	if s.Running < 0 || s.Running > 1 || s.Slots[s.Running].App == nil {
		return ""
	}
	return s.Slots[s.Running].App.Version
}
