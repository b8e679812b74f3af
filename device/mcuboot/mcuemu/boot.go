package mcuemu

import (
	"errors"
	"fmt"
	"strings"

	"signbox/device/mcuboot"
)

// BootTrace is what one boot did and what it started.
type BootTrace struct {
	Swap     SwapType // the swap type the boot acted on
	Resumed  bool     // an interrupted swap was completed
	Refused  string   // why a candidate in the secondary slot was erased
	Counter  uint32   // hardware counter after the boot
	Version  mcuboot.Version
	ImageSec uint32 // booted image's SEC_CNT
	Digest   []byte // booted image's verified digest
	KeyHash  []byte // key that verified it
}

func (t *BootTrace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "swap %s", t.Swap)
	if t.Resumed {
		b.WriteString(" (resumed)")
	}
	if t.Refused != "" {
		fmt.Fprintf(&b, ", candidate refused: %s", t.Refused)
	}
	fmt.Fprintf(&b, "; booted %s sec_cnt %d; hw counter %d", t.Version, t.ImageSec, t.Counter)
	return b.String()
}

// Boot is a reset: power comes back, the bootloader finishes or starts an
// upgrade, validates the primary slot and starts it. A power cut armed on
// the device can stop the boot itself; boot again to recover.
func (d *Device) Boot() (*BootTrace, error) {
	d.power.off = false
	d.running = false
	tr := &BootTrace{}
	var err error
	switch d.mode {
	case SwapMove:
		err = d.bootSwap(tr)
	default:
		err = d.bootOverwrite(tr)
	}
	if err != nil {
		return tr, err
	}
	v, err := d.validate(d.layout.primary())
	if err != nil {
		return tr, fmt.Errorf("%w: primary slot: %v", ErrNoBootableImage, err)
	}
	tr.Version, tr.Digest, tr.KeyHash = v.Version(), v.ImageDigest(), v.KeyHash()
	tr.ImageSec, _ = v.SecurityCounter()
	// boot_update_hw_rollback_protection: only when the swap type is
	// NONE or PERM (or after an overwrite), never right after a test swap
	// or a revert, so an unconfirmed image can still be reverted.
	if tr.Swap == SwapNone || tr.Swap == SwapPerm || tr.Swap == swapOverwrite || tr.Swap == SwapFail {
		if err := d.raiseCounter(tr.ImageSec); err != nil {
			return tr, err
		}
	}
	tr.Counter = d.counter
	d.running = true
	return tr, nil
}

// bootSwap decides and performs the swap for swap-using-move.
func (d *Device) bootSwap(tr *BootTrace) error {
	p, s := d.layout.primary(), d.layout.secondary()
	pt := d.readTrailer(p)
	// An interrupted swap: the primary trailer's status init completed
	// (magic written last) and copy_done is not yet set.
	if pt.MagicGood && !pt.CopyDone && pt.SwapType != 0 {
		tr.Swap, tr.Resumed = pt.SwapType, true
		return d.swapMove(pt.SwapType, int(pt.SwapSize), false)
	}
	st := d.readTrailer(s)
	// boot_swap_type_multi's table, first row that matches.
	switch {
	case st.MagicGood:
		typ := SwapTest
		if st.ImageOK {
			typ = SwapPerm
		}
		if _, err := d.validate(s); err != nil {
			tr.Swap, tr.Refused = SwapFail, err.Error()
			return d.eraseSlot(s)
		}
		tr.Swap = typ
		return d.startSwap(typ)
	case pt.MagicGood && pt.CopyDone && !pt.ImageOK:
		tr.Swap = SwapRevert
		if err := d.markRevert(); err != nil {
			return err
		}
		return d.startSwap(SwapRevert)
	}
	tr.Swap = SwapNone
	return nil
}

// markRevert hands the revert decision to the secondary slot before the
// primary trailer, which alone says "unconfirmed test image", is erased
// by status init: the old image in the secondary gets image_ok and then
// the magic, a permanent upgrade request. emulator: found by the power-cut
// sweep; without it a cut between erasing the primary trailer and writing
// its magic boots the unconfirmed image as NONE and raises the counter to
// it, i.e. confirms it by accident.
func (d *Device) markRevert() error {
	s := d.layout.secondary()
	if ts := s.trailerSector(d.layout); !allErased(d.flash.view(ts, d.layout.SectorSize)) {
		if err := d.flash.EraseSector(ts); err != nil {
			return err
		}
	}
	if err := d.writeFlag(s, offImageOK); err != nil {
		return err
	}
	if err := d.writeSwapInfo(s, SwapPerm); err != nil {
		return err
	}
	return d.writeMagic(s)
}

// startSwap sizes the swap from both images and runs it from the start.
func (d *Device) startSwap(typ SwapType) error {
	n := max(d.imageSectors(d.layout.primary()), d.imageSectors(d.layout.secondary()))
	return d.swapMove(typ, n*d.layout.SectorSize, true)
}

// bootOverwrite copies a valid candidate over the primary slot.
func (d *Device) bootOverwrite(tr *BootTrace) error {
	p, s := d.layout.primary(), d.layout.secondary()
	tr.Swap = SwapNone
	if !d.readTrailer(s).MagicGood {
		return nil
	}
	if _, err := d.validate(s); err != nil {
		tr.Swap, tr.Refused = SwapFail, err.Error()
		return d.eraseSlot(s)
	}
	tr.Swap = swapOverwrite
	n := d.imageSectors(s)
	for i := 0; i < n; i++ {
		if err := d.flash.copySector(p.sector(d.layout, i), s.sector(d.layout, i)); err != nil {
			return err
		}
	}
	// The copy is complete: the primary is the new image. Its counter is
	// raised before the candidate's magic goes, so a cut in between
	// repeats the copy rather than leaving the counter behind.
	v, err := d.validate(p)
	if err != nil {
		return fmt.Errorf("%w: primary after overwrite: %v", ErrNoBootableImage, err)
	}
	c, _ := v.SecurityCounter()
	if err := d.raiseCounter(c); err != nil {
		return err
	}
	// emulator: only the trailer sector; MCUboot erases the whole slot.
	return d.flash.EraseSector(s.trailerSector(d.layout))
}

// eraseSlot erases a refused candidate, trailer sector first so a cut
// cannot leave its magic over a half-erased image.
func (d *Device) eraseSlot(s slot) error {
	if err := d.flash.EraseSector(s.trailerSector(d.layout)); err != nil {
		return err
	}
	n := d.imageSectors(s)
	for i := 0; i < n; i++ {
		if allErased(d.flash.view(s.sector(d.layout, i), d.layout.SectorSize)) {
			continue
		}
		if err := d.flash.EraseSector(s.sector(d.layout, i)); err != nil {
			return err
		}
	}
	return nil
}

// IsPowerCut reports whether err is (or wraps) a power cut.
func IsPowerCut(err error) bool { return errors.Is(err, ErrPowerCut) }
