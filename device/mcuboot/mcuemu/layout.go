package mcuemu

import "fmt"

// Mode is the bootloader's upgrade mode (Kconfig BOOT_IMAGE_UPGRADE_MODE;
// mcuboot-formats.md §3 "Upgrade modes").
type Mode int

const (
	SwapMove      Mode = iota + 1 // swap-using-move: test, permanent and revert
	OverwriteOnly                 // MCUBOOT_OVERWRITE_ONLY: copy, never revert
)

func (m Mode) String() string {
	switch m {
	case SwapMove:
		return "swap-using-move"
	case OverwriteOnly:
		return "overwrite-only"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// Layout is the flash geometry: the erase and write units and how many
// sectors an image may span. The secondary slot is ImageSectors + 1
// sectors (image area, trailer sector); the primary one more, the spare
// sector swap-using-move shifts the image into (mcuboot-formats.md §3:
// "primary needs one extra sector"). Both slots use the same layout in
// overwrite-only, so images stay interchangeable between modes.
type Layout struct {
	SectorSize   int `json:"sector_size"`   // erase unit: a power of two, 1..64 KiB
	WriteSize    int `json:"write_size"`    // program unit: 1, 2, 4 or 8 bytes
	ImageSectors int `json:"image_sectors"` // sectors an image (header, body, TLVs) may span
}

// Trailer geometry for BOOT_MAX_ALIGN 8 (mcuboot-formats.md §3).
const (
	maxAlign      = 8
	offMagic      = 16                // S-16, 16 bytes
	offImageOK    = 24                // S-24
	offCopyDone   = 32                // S-32
	offSwapInfo   = 40                // S-40
	offSwapSize   = 48                // S-48, u32 LE
	statusEntries = 3 * maxImgSectors // BOOT_MAX_IMG_SECTORS x 3
)

func (l Layout) check() error {
	switch {
	case l.SectorSize < 1024 || l.SectorSize > 64<<10 || l.SectorSize&(l.SectorSize-1) != 0:
		return fmt.Errorf("%w: sector size %d, want a power of two from 1 KiB to 64 KiB", ErrBadLayout, l.SectorSize)
	case l.WriteSize != 1 && l.WriteSize != 2 && l.WriteSize != 4 && l.WriteSize != 8:
		return fmt.Errorf("%w: write size %d, want 1, 2, 4 or 8 (BOOT_MAX_ALIGN 8)", ErrBadLayout, l.WriteSize)
	case l.ImageSectors < 1 || l.ImageSectors > maxImgSectors:
		return fmt.Errorf("%w: %d image sectors, want 1..%d (BOOT_MAX_IMG_SECTORS)", ErrBadLayout, l.ImageSectors, maxImgSectors)
	case offSwapSize+statusEntries*l.WriteSize > l.SectorSize:
		return fmt.Errorf("%w: a %d-byte trailer does not fit one %d-byte sector", ErrBadLayout, offSwapSize+statusEntries*l.WriteSize, l.SectorSize)
	}
	return nil
}

// slot is one slot's place in flash.
type slot struct {
	name string
	off  int
	size int
}

func (l Layout) primary() slot {
	return slot{"primary", 0, (l.ImageSectors + 2) * l.SectorSize}
}

func (l Layout) secondary() slot {
	return slot{"secondary", l.primary().size, (l.ImageSectors + 1) * l.SectorSize}
}

// MaxImageSize is the largest image (header, body, TLVs) a slot takes.
func (l Layout) MaxImageSize() int { return l.ImageSectors * l.SectorSize }

// SecondarySlotSize is the slot size to give imgtool -S (and
// mcuboot.SignOptions users padding an image).
func (l Layout) SecondarySlotSize() int { return l.secondary().size }

func (l Layout) flashSize() int { return l.primary().size + l.secondary().size }

// trailerSector is the offset of the slot's last sector.
func (s slot) trailerSector(l Layout) int { return s.off + s.size - l.SectorSize }

// field is the flash offset of the trailer field at S-back.
func (s slot) field(back int) int { return s.off + s.size - back }

// sector is the flash offset of the slot's image sector i.
func (s slot) sector(l Layout, i int) int { return s.off + i*l.SectorSize }

// statusEntry is the flash offset of swap status entry k (k = 0 is the
// first step), growing down from just below swap_size.
func (s slot) statusEntry(l Layout, k int) int {
	return s.field(offSwapSize) - (k+1)*l.WriteSize
}
