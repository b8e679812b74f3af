package appliance

import (
	"errors"
	"fmt"

	"signbox/audit"
	"signbox/device/emu"
	"signbox/device/mcuboot/mcuemu"
)

// Rehearsal is the emulated device after an install or a reboot.
type Rehearsal struct {
	Install *emu.InstallResult // nil after confirm or reject
	Boot    *emu.BootTrace
	Status  emu.Status
	// MCUboot is set instead of the above when the rehearsal device is
	// an emulated MCUboot device.
	MCUboot *MCUbootRehearsal
}

// ErrNoDevice reports an appliance opened without a rehearsal device.
var ErrNoDevice = errors.New("no emulated device configured for rehearsals")

// Rehearse installs a release bundle on the emulated device exactly as a
// fielded updater would (bundle signature first, then the device's own
// eFuse checks) and reboots it into the new image, which is then pending
// verification.
func (a *Appliance) Rehearse(bundlePath string) (*Rehearsal, error) {
	if a.cfg.Device == "" {
		return nil, ErrNoDevice
	}
	pub, err := a.releasePublicKey()
	if err != nil {
		return nil, err
	}
	if mcuemu.IsStateDir(a.cfg.Device) {
		return a.rehearseMCUboot(bundlePath, pub)
	}
	d, err := emu.Open(a.cfg.Device)
	if err != nil {
		return nil, err
	}
	d.SetClock(a.cfg.Now) // the device's own audit log stamps events with this
	r, err := d.Install(emu.BundleSource(bundlePath, pub, d))
	if serr := d.Save(); err == nil {
		err = serr
	}
	if err != nil {
		_ = a.event(audit.UpdateRejected, "device", a.cfg.Device, "bundle", bundlePath, "reason", err.Error())
		return nil, fmt.Errorf("install on the emulated device: %w", err)
	}
	tr, err := d.Boot()
	if serr := d.Save(); err == nil {
		err = serr
	}
	if err != nil {
		return nil, fmt.Errorf("reboot the emulated device: %w", err)
	}
	a.rehearsing = true
	if err := a.event(audit.UpdateAccepted, "device", a.cfg.Device, "version", r.App.Version, "slot", r.Label); err != nil {
		return nil, err
	}
	return &Rehearsal{Install: &r, Boot: tr, Status: d.Status()}, nil
}

// FinishRehearsal confirms (raising the emulated eFuse secure version,
// which cannot be undone on that device) or rejects (rolling back) the
// pending image, then reboots.
func (a *Appliance) FinishRehearsal(confirm bool) (*Rehearsal, error) {
	if a.cfg.Device == "" {
		return nil, ErrNoDevice
	}
	if mcuemu.IsStateDir(a.cfg.Device) {
		return a.finishMCUboot(confirm)
	}
	d, err := emu.Open(a.cfg.Device)
	if err != nil {
		return nil, err
	}
	d.SetClock(a.cfg.Now) // the device's own audit log stamps events with this
	// The device is still running the image Rehearse booted: a second
	// boot here would abort it (PENDING_VERIFY at boot becomes ABORTED).
	if confirm {
		_, err = d.Confirm()
	} else {
		_, err = d.Reject()
	}
	if serr := d.Save(); err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	tr, err := d.Boot()
	if serr := d.Save(); err == nil {
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
	if err := a.event(typ, "device", a.cfg.Device, "running", tr.App.Version, "reason", "operator decision"); err != nil {
		return nil, err
	}
	if _, err := a.checkpoint("rehearsal finished"); err != nil {
		return nil, err
	}
	return &Rehearsal{Boot: tr, Status: d.Status()}, nil
}

// DeviceStatus reads the emulated device without changing it.
func (a *Appliance) DeviceStatus() (emu.Status, error) {
	if a.cfg.Device == "" {
		return emu.Status{}, ErrNoDevice
	}
	d, err := emu.Open(a.cfg.Device)
	if err != nil {
		return emu.Status{}, err
	}
	return d.Status(), nil
}

func (a *Appliance) releasePublicKey() (any, error) {
	p, err := a.policy()
	if err != nil {
		return nil, err
	}
	return a.releaseKeyFromPolicy(p)
}
