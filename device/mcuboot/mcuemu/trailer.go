package mcuemu

import (
	"bytes"
	"encoding/binary"
)

// trailerMagic is the 16-byte trailer magic for BOOT_MAX_ALIGN 8
// (bootutil_misc.h boot_img_magic; mcuboot-formats.md §3).
var trailerMagic = []byte{0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80}

// SwapType is the low nibble of swap_info (bootutil_public.h BOOT_SWAP_TYPE_*).
type SwapType uint8

const (
	SwapNone   SwapType = 1
	SwapTest   SwapType = 2
	SwapPerm   SwapType = 3
	SwapRevert SwapType = 4
	SwapFail   SwapType = 5 // a candidate failed validation and was erased
	// swapOverwrite is the emulator's name for an overwrite-only upgrade
	// in a BootTrace; it is never written to flash.
	swapOverwrite SwapType = 0x10
)

func (t SwapType) String() string {
	switch t {
	case SwapNone:
		return "none"
	case SwapTest:
		return "test"
	case SwapPerm:
		return "perm"
	case SwapRevert:
		return "revert"
	case SwapFail:
		return "fail"
	case swapOverwrite:
		return "overwrite"
	}
	return "unknown"
}

// flag values in the first byte of image_ok and copy_done (BOOT_FLAG_SET).
const flagSet = 0x01

// Trailer is a slot's trailer as the bootloader reads it.
type Trailer struct {
	MagicGood bool
	ImageOK   bool // first byte 0x01
	CopyDone  bool
	SwapType  SwapType // swap_info low nibble; 0 if erased or not a known type
	ImageNum  uint8    // swap_info high nibble
	SwapSize  uint32   // 0xFFFFFFFF if unwritten
}

func (d *Device) readTrailer(s slot) Trailer {
	f := d.flash
	info := f.view(s.field(offSwapInfo), 1)[0]
	t := Trailer{
		MagicGood: bytes.Equal(f.view(s.field(offMagic), 16), trailerMagic),
		ImageOK:   f.view(s.field(offImageOK), 1)[0] == flagSet,
		CopyDone:  f.view(s.field(offCopyDone), 1)[0] == flagSet,
		SwapSize:  binary.LittleEndian.Uint32(f.view(s.field(offSwapSize), 4)),
	}
	if st := SwapType(info & 0x0F); info != 0xFF && st >= SwapTest && st <= SwapRevert {
		t.SwapType, t.ImageNum = st, info>>4
	}
	return t
}

// TrailerOf reads a slot's trailer: "primary" or "secondary".
func (d *Device) TrailerOf(name string) Trailer {
	if name == "primary" {
		return d.readTrailer(d.layout.primary())
	}
	return d.readTrailer(d.layout.secondary())
}

// Each trailer field is written in one program of its own width padded to
// the write unit, as boot_write_trailer does.
func (d *Device) writeFlag(s slot, back int) error {
	return d.flash.programPadded(s.field(back), []byte{flagSet})
}

func (d *Device) writeMagic(s slot) error {
	return d.flash.Program(s.field(offMagic), trailerMagic)
}

func (d *Device) writeSwapInfo(s slot, t SwapType) error {
	return d.flash.programPadded(s.field(offSwapInfo), []byte{byte(t)}) // image 0: high nibble 0
}

func (d *Device) writeSwapSize(s slot, n uint32) error {
	return d.flash.programPadded(s.field(offSwapSize), binary.LittleEndian.AppendUint32(nil, n))
}

// statusDone reports whether swap status entry k is written.
func (d *Device) statusDone(s slot, k int) bool {
	return d.flash.view(s.statusEntry(d.layout, k), 1)[0] == flagSet
}

func (d *Device) writeStatus(s slot, k int) error {
	return d.flash.programPadded(s.statusEntry(d.layout, k), []byte{flagSet})
}
