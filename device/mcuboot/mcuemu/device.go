package mcuemu

import (
	"bytes"
	"crypto"
	"fmt"

	"signbox/device/mcuboot"
)

// Config makes a device: its flash geometry, upgrade mode, the public keys
// its bootloader embeds, and the image flashed at the factory.
type Config struct {
	Layout Layout
	Mode   Mode
	// Keys are the bootloader's built-in keys; an image names one by its
	// KEYHASH TLV (bootutil_find_key.c).
	Keys []crypto.PublicKey
	// Product and Board name what the device is (the policy's product
	// id and board); the bootloader does not use them.
	Product, Board string
	// Factory is written to the primary slot as a programmer would flash
	// an imgtool image without --pad: no trailer, so the first boot is
	// swap type NONE and raises the hardware counter to its SEC_CNT.
	Factory []byte
}

// Device is one emulated MCUboot device. It is not safe for concurrent use.
type Device struct {
	layout  Layout
	mode    Mode
	keys    []crypto.PublicKey
	flash   *Flash
	power   *Power
	counter uint32 // hardware security counter, only goes up
	running bool   // an image booted and power has not failed since
	product string
	board   string

	verified *verifyCache
}

// New makes a device and flashes the factory image. It does not boot.
func New(cfg Config) (*Device, error) {
	d, err := blankDevice(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := d.checkImage(cfg.Factory); err != nil {
		return nil, fmt.Errorf("factory image: %w", err)
	}
	if err := d.writeImage(d.layout.primary(), cfg.Factory); err != nil {
		return nil, err
	}
	return d, nil
}

// blankDevice makes a device with erased flash.
func blankDevice(cfg Config) (*Device, error) {
	if err := cfg.Layout.check(); err != nil {
		return nil, err
	}
	if cfg.Mode != SwapMove && cfg.Mode != OverwriteOnly {
		return nil, fmt.Errorf("%w: upgrade mode %s", ErrBadLayout, cfg.Mode)
	}
	if len(cfg.Keys) == 0 {
		return nil, fmt.Errorf("%w: no bootloader keys", ErrBadLayout)
	}
	for _, k := range cfg.Keys {
		if _, err := mcuboot.AlgorithmOf(k); err != nil {
			return nil, fmt.Errorf("bootloader key: %w", err)
		}
	}
	p := &Power{}
	d := &Device{
		layout: cfg.Layout, mode: cfg.Mode, keys: append([]crypto.PublicKey(nil), cfg.Keys...),
		flash: newFlash(cfg.Layout.flashSize(), cfg.Layout.SectorSize, cfg.Layout.WriteSize, p), power: p,
		verified: newVerifyCache(), product: cfg.Product, board: cfg.Board,
	}
	return d, nil
}

// Clone returns an independent copy (flash, counter, power state).
func (d *Device) Clone() *Device {
	c := *d
	p := *d.power
	c.power = &p
	c.flash = &Flash{mem: bytes.Clone(d.flash.mem), sector: d.flash.sector, align: d.flash.align, power: &p}
	return &c
}

// Power is the device's write counter, for arming power cuts.
func (d *Device) Power() *Power { return d.power }

// Flash gives read access to the device's flash.
func (d *Device) Flash() *Flash { return d.flash }

// Layout is the device's flash geometry.
func (d *Device) Layout() Layout { return d.layout }

// Mode is the bootloader's upgrade mode.
func (d *Device) Mode() Mode { return d.mode }

// SecurityCounter is the hardware security counter.
func (d *Device) SecurityCounter() uint32 { return d.counter }

// raiseCounter sets the hardware counter to v if v is higher: one write.
func (d *Device) raiseCounter(v uint32) error {
	if v <= d.counter {
		return nil
	}
	fa, err := d.power.begin(fmt.Sprintf("security counter %d -> %d", d.counter, v))
	if fa != applyNone { // emulator: a torn counter update lands
		d.counter = v
	}
	return err
}

// SlotImage returns a copy of a slot's bytes: "primary" or "secondary".
func (d *Device) SlotImage(name string) []byte {
	s := d.layout.primary()
	if name != "primary" {
		s = d.layout.secondary()
	}
	return bytes.Clone(d.flash.view(s.off, s.size))
}
