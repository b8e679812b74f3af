package emu

import (
	"fmt"

	"signbox/device/esp"
	"signbox/internal/lock"
)

// Device is one emulated chip: flash, eFuses, the power counter and what
// runs right now. It is not safe for concurrent use.
type Device struct {
	chip  esp.Chip
	plate Nameplate
	flash *Flash
	efuse *EFuses
	power *Power
	sink  EventSink
	audit *auditSink // the device's own audit log, nil without an Identity

	// running is the slot of the app that runs since the last boot, -1 when
	// none does (power-on, power cut, failed boot). It lives in RAM.
	running int

	dir  string     // state directory, "" for an in-memory device
	held *lock.Lock // the caller's lock on dir (OpenLocked), or nil
	sums stateSums  // the state files as last read or written

	// parsed caches slot images for the duration of one boot, where the
	// anti-rollback probe and the load read the same slot and only otadata
	// is written in between; nil outside a boot.
	parsed map[uint32]*esp.Image
}

// New returns a blank in-memory device: erased flash sized for layout and
// unburned eFuses. Provision it before booting.
func New(chip esp.Chip, layout Layout) (*Device, error) {
	if !chip.Known() {
		return nil, fmt.Errorf("chip id %d: %w", uint16(chip), esp.ErrUnknownChip)
	}
	if err := layout.validate(); err != nil {
		return nil, err
	}
	p := &Power{}
	return &Device{
		chip:    chip,
		flash:   newFlash(layout.FlashSize(), p),
		efuse:   newEFuses(chip, p),
		power:   p,
		running: -1,
	}, nil
}

// Chip is the chip the device emulates.
func (d *Device) Chip() esp.Chip { return d.chip }

// Flash gives tests and tools direct access to the flash (for instance to
// corrupt a sector); writes still go through the power counter.
func (d *Device) Flash() *Flash { return d.flash }

// EFuses gives access to the eFuses.
func (d *Device) EFuses() *EFuses { return d.efuse }

// Power is the write counter every erase, program and burn goes through.
func (d *Device) Power() *Power { return d.power }

// SetEventSink sends device events to s (nil to stop).
func (d *Device) SetEventSink(s EventSink) { d.sink = s }

// Running is the slot of the running app, -1 if none.
func (d *Device) Running() int { return d.running }

// Clone returns an independent copy (flash, eFuses, power counter and
// running state); the event sinks, audit log and state directory are not
// copied. The
// power-cut sweep clones one prepared device per cut point.
func (d *Device) Clone() *Device {
	p := *d.power
	c := &Device{chip: d.chip, plate: d.plate, power: &p, running: d.running}
	c.flash = &Flash{mem: append([]byte(nil), d.flash.mem...), power: &p}
	c.efuse = &EFuses{bits: d.efuse.bits, chip: d.chip, power: &p}
	return c
}
