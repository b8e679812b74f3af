package mcuemu

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Flash is a NOR flash with an erase unit (sector) and a write unit
// (align): erase sets a whole sector to 0xFF, a program must start and end
// on write units and only clears bits. Every sector erase and every
// program call is one write on the device's [Power] counter.
type Flash struct {
	mem    []byte
	sector int
	align  int
	power  *Power
}

func newFlash(size, sector, align int, p *Power) *Flash {
	return &Flash{mem: bytes.Repeat([]byte{0xFF}, size), sector: sector, align: align, power: p}
}

// Size is the flash size in bytes.
func (f *Flash) Size() int { return len(f.mem) }

// Read returns a copy of n bytes at off.
func (f *Flash) Read(off, n int) ([]byte, error) {
	if err := f.bounds(off, n); err != nil {
		return nil, err
	}
	return bytes.Clone(f.mem[off : off+n]), nil
}

// view returns flash bytes without copying; callers must not keep or
// modify them across writes.
func (f *Flash) view(off, n int) []byte { return f.mem[off : off+n : off+n] }

func (f *Flash) bounds(off, n int) error {
	if off < 0 || n < 0 || off > len(f.mem) || n > len(f.mem)-off {
		return fmt.Errorf("flash: range %#x+%#x outside %#x bytes", off, n, len(f.mem))
	}
	return nil
}

// EraseSector erases the sector starting at off: one write.
func (f *Flash) EraseSector(off int) error {
	if off%f.sector != 0 {
		return fmt.Errorf("flash: erase at %#x: sectors are %#x bytes: %w", off, f.sector, ErrAlignment)
	}
	if err := f.bounds(off, f.sector); err != nil {
		return err
	}
	fa, err := f.power.begin(fmt.Sprintf("erase %#x", off))
	end := off + f.sector
	if fa == applyHalf {
		end = off + f.sector/2 // emulator: a torn erase clears the first half
	}
	if fa != applyNone {
		fill(f.mem[off:end])
	}
	return err
}

// Program writes data at off: one write. Offset and length must be
// multiples of the write unit; a byte that would need a 0 bit to become 1
// fails with [ErrNotErased] before anything is written.
func (f *Flash) Program(off int, data []byte) error {
	if off%f.align != 0 || len(data)%f.align != 0 {
		return fmt.Errorf("flash: program %#x+%#x: write unit is %d: %w", off, len(data), f.align, ErrAlignment)
	}
	if err := f.bounds(off, len(data)); err != nil {
		return err
	}
	dst := f.mem[off : off+len(data)]
	if i := firstUnprogrammable(dst, data); i >= 0 {
		return fmt.Errorf("flash: program at %#x: byte %#02x cannot become %#02x: %w", off+i, dst[i], data[i], ErrNotErased)
	}
	fa, err := f.power.begin(fmt.Sprintf("program %#x+%#x", off, len(data)))
	n := len(data)
	if fa == applyHalf {
		// emulator: a torn program lands its first half (in whole write
		// units) and leaves the next unit partly programmed: only the bits
		// of 0x5A among those it was clearing are cleared, so a flag byte
		// reads neither erased nor written.
		n = n / 2 / f.align * f.align
		for i := n; i < min(n+f.align, len(data)); i++ {
			dst[i] &= data[i] | 0xA5
		}
	}
	if fa != applyNone {
		and(dst[:n], data[:n])
	}
	return err
}

// programPadded programs data padded with 0xFF to the write unit.
func (f *Flash) programPadded(off int, data []byte) error {
	n := (len(data) + f.align - 1) / f.align * f.align
	buf := bytes.Repeat([]byte{0xFF}, n)
	copy(buf, data)
	return f.Program(off, buf)
}

// copySector erases the sector at dst and programs the sector at src into
// it, one program per sector, skipping a program when src is all erased.
func (f *Flash) copySector(dst, src int) error {
	if err := f.EraseSector(dst); err != nil {
		return err
	}
	data := bytes.Clone(f.view(src, f.sector))
	if allErased(data) {
		return nil
	}
	return f.Program(dst, data)
}

// The byte loops below work a word at a time: the sweep runs them
// millions of times, and under -race each byte access is instrumented.

func allErased(b []byte) bool {
	for len(b) >= len(erased) {
		if !bytes.Equal(b[:len(erased)], erased) {
			return false
		}
		b = b[len(erased):]
	}
	return bytes.Equal(b, erased[:len(b)])
}

var erased = bytes.Repeat([]byte{0xFF}, 1024)

func fill(b []byte) {
	for len(b) > 0 {
		b = b[copy(b, erased):]
	}
}

// firstUnprogrammable is the index of the first byte of data that needs a
// 0 bit of dst to become 1, or -1.
func firstUnprogrammable(dst, data []byte) int {
	i := 0
	for ; i+8 <= len(data); i += 8 {
		d, w := binary.LittleEndian.Uint64(dst[i:]), binary.LittleEndian.Uint64(data[i:])
		if d&w != w {
			break
		}
	}
	for ; i < len(data); i++ {
		if dst[i]&data[i] != data[i] {
			return i
		}
	}
	return -1
}

// and clears in dst the bits that are clear in data (len(dst) == len(data)).
func and(dst, data []byte) {
	i := 0
	for ; i+8 <= len(data); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(dst[i:])&binary.LittleEndian.Uint64(data[i:]))
	}
	for ; i < len(data); i++ {
		dst[i] &= data[i]
	}
}
