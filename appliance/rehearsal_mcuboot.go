package appliance

import (
	"fmt"

	"signbox/audit"
	"signbox/device/mcuboot/mcuemu"
	"signbox/device/mcuboot/mcuinstall"
)

// MCUbootRehearsal is what an emulated MCUboot device did in a rehearsal.
type MCUbootRehearsal struct {
	Installed string // "wearable 1.2.0, security counter 2", after an install
	Boot      *mcuemu.BootTrace
	Counter   uint32 // hardware security counter after the boot
}

// rehearseMCUboot installs the bundle on the emulated MCUboot device in
// the rehearsal directory (bundle, key hash and image checked at the
// device's counter first) as a test upgrade and resets it: the bootloader
// checks the image again, swaps it in, and it runs unconfirmed.
func (a *Appliance) rehearseMCUboot(bundlePath string, pub any) (*Rehearsal, error) {
	d, err := mcuemu.Open(a.cfg.Device)
	if err != nil {
		return nil, err
	}
	if !d.Running() {
		if _, err := d.Boot(); err != nil {
			return nil, fmt.Errorf("boot the emulated device: %w", err)
		}
	}
	res, err := mcuinstall.Install(d, bundlePath, pub, false)
	if serr := d.Save(a.cfg.Device); err == nil {
		err = serr
	}
	if err != nil {
		_ = a.event(audit.UpdateRejected, "device", a.cfg.Device, "bundle", bundlePath, "reason", err.Error())
		return nil, fmt.Errorf("install on the emulated device: %w", err)
	}
	tr, err := d.Boot()
	if serr := d.Save(a.cfg.Device); err == nil {
		err = serr
	}
	if err != nil {
		return nil, fmt.Errorf("reboot the emulated device: %w", err)
	}
	if tr.Refused != "" {
		_ = a.event(audit.UpdateRejected, "device", a.cfg.Device, "bundle", bundlePath, "reason", tr.Refused)
		return nil, fmt.Errorf("the emulated device's bootloader refused the image: %s", tr.Refused)
	}
	a.rehearsing = true
	m := res.Manifest
	if err := a.event(audit.UpdateAccepted, "device", a.cfg.Device, "version", m.Version, "slot", "primary (test)"); err != nil {
		return nil, err
	}
	return &Rehearsal{MCUboot: &MCUbootRehearsal{
		Installed: fmt.Sprintf("%s %s, security counter %d", m.Product, m.Version, m.SecurityVersion),
		Boot:      tr, Counter: d.SecurityCounter(),
	}}, nil
}

// finishMCUboot confirms the running test image (image_ok; the counter
// rises at the next boot) or leaves it unconfirmed, then resets: the
// bootloader keeps a confirmed image and reverts an unconfirmed one.
func (a *Appliance) finishMCUboot(confirm bool) (*Rehearsal, error) {
	d, err := mcuemu.Open(a.cfg.Device)
	if err != nil {
		return nil, err
	}
	if confirm {
		err = d.Confirm()
	}
	var tr *mcuemu.BootTrace
	if err == nil {
		tr, err = d.Boot()
	}
	if serr := d.Save(a.cfg.Device); err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	a.rehearsing = false
	typ := audit.UpdateConfirmed
	if !confirm {
		typ = audit.UpdateRejected
	}
	if err := a.event(typ, "device", a.cfg.Device, "running", tr.Version.String(), "reason", "operator decision"); err != nil {
		return nil, err
	}
	if _, err := a.checkpoint("rehearsal finished"); err != nil {
		return nil, err
	}
	return &Rehearsal{MCUboot: &MCUbootRehearsal{Boot: tr, Counter: d.SecurityCounter()}}, nil
}
