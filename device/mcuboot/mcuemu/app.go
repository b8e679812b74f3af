package mcuemu

import "fmt"

// Install is the running image's update agent receiving an image (MCUmgr
// upload, then `image test`, or `image confirm` for a permanent upgrade):
// it checks the image is well formed and fits, erases the secondary slot
// (trailer sector first), programs the image and marks it pending
// (boot_set_pending: magic, then image_ok when permanent, then swap_info).
// The signature is the bootloader's to check at the next boot.
func (d *Device) Install(image []byte, permanent bool) error {
	if !d.Running() {
		return ErrNotRunning
	}
	if d.mode == SwapMove {
		if t := d.readTrailer(d.layout.primary()); t.MagicGood && t.CopyDone && !t.ImageOK {
			return fmt.Errorf("%w: confirm it or reset to revert before installing another", ErrUnconfirmed)
		}
	}
	if _, err := d.checkImage(image); err != nil {
		return err
	}
	s := d.layout.secondary()
	if err := d.writeImage(s, image); err != nil {
		return err
	}
	if err := d.writeMagic(s); err != nil {
		return err
	}
	typ := SwapTest
	if permanent {
		typ = SwapPerm
		if err := d.writeFlag(s, offImageOK); err != nil {
			return err
		}
	}
	return d.writeSwapInfo(s, typ)
}

// Confirm is boot_set_confirmed: the running image sets image_ok in the
// primary trailer. An image whose trailer has no magic (flashed at the
// factory, or after an overwrite) or is already confirmed needs nothing.
func (d *Device) Confirm() error {
	if !d.Running() {
		return ErrNotRunning
	}
	p := d.layout.primary()
	if t := d.readTrailer(p); !t.MagicGood || t.ImageOK {
		return nil
	}
	return d.writeFlag(p, offImageOK)
}

// Running reports whether an image has booted since power was last lost:
// after a cut nothing runs until [Device.Boot].
func (d *Device) Running() bool { return d.running && !d.power.off }

// writeImage erases slot s's trailer sector, then the image sectors, and
// programs the image one sector at a time.
func (d *Device) writeImage(s slot, image []byte) error {
	l := d.layout
	if err := d.flash.EraseSector(s.trailerSector(l)); err != nil {
		return err
	}
	for i := 0; i*l.SectorSize < len(image); i++ {
		off := s.sector(l, i)
		if !allErased(d.flash.view(off, l.SectorSize)) {
			if err := d.flash.EraseSector(off); err != nil {
				return err
			}
		}
		chunk := image[i*l.SectorSize : min((i+1)*l.SectorSize, len(image))]
		if err := d.flash.programPadded(off, chunk); err != nil {
			return err
		}
	}
	return nil
}
