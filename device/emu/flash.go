package emu

import (
	"errors"
	"fmt"
)

// SectorSize is the NOR erase unit.
const SectorSize = 0x1000

// ErrNotErased reports a program that would have to turn a 0 bit into a 1:
// NOR flash cannot do that without an erase, so it is a bug in the writer.
var ErrNotErased = errors.New("programming over unerased flash")

// Flash is a NOR flash: erase sets a whole 4 KiB sector to 0xFF, program
// only clears bits. Every erase of one sector and every program call is one
// write on the device's [Power] counter.
type Flash struct {
	mem   []byte
	power *Power
}

func newFlash(size int, p *Power) *Flash {
	mem := make([]byte, size)
	for i := range mem {
		mem[i] = 0xFF
	}
	return &Flash{mem: mem, power: p}
}

// Size is the flash size in bytes.
func (f *Flash) Size() int { return len(f.mem) }

// Read returns a copy of n bytes at off.
func (f *Flash) Read(off, n int) ([]byte, error) {
	if err := f.bounds(off, n); err != nil {
		return nil, err
	}
	return append([]byte(nil), f.mem[off:off+n]...), nil
}

// view returns flash bytes without copying; callers must not keep or modify
// it across writes.
func (f *Flash) view(off, n int) ([]byte, error) {
	if err := f.bounds(off, n); err != nil {
		return nil, err
	}
	return f.mem[off : off+n : off+n], nil
}

func (f *Flash) bounds(off, n int) error {
	if off < 0 || n < 0 || off > len(f.mem) || n > len(f.mem)-off {
		return fmt.Errorf("flash: range 0x%x+0x%x outside 0x%x bytes", off, n, len(f.mem))
	}
	return nil
}

// Erase erases every sector in [off, off+n); both must be sector-aligned.
// Each sector is a separate write, as on a real chip.
func (f *Flash) Erase(off, n int) error {
	if off%SectorSize != 0 || n%SectorSize != 0 {
		return fmt.Errorf("flash: erase 0x%x+0x%x is not 4 KiB aligned", off, n)
	}
	if err := f.bounds(off, n); err != nil {
		return err
	}
	for s := off; s < off+n; s += SectorSize {
		if err := f.eraseSector(s); err != nil {
			return err
		}
	}
	return nil
}

func (f *Flash) eraseSector(s int) error {
	fa, err := f.power.begin(fmt.Sprintf("erase 0x%x", s))
	end := s + SectorSize
	if fa == applyHalf {
		// emulator: a torn erase leaves the first half erased and the rest
		// as it was, one of the states a real interrupted erase can leave.
		end = s + SectorSize/2
	}
	if fa != applyNone {
		for i := s; i < end; i++ {
			f.mem[i] = 0xFF
		}
	}
	return err
}

// Program writes data at off. Any byte that would need a 0 bit to become 1
// fails with [ErrNotErased] before anything is written.
func (f *Flash) Program(off int, data []byte) error {
	if err := f.bounds(off, len(data)); err != nil {
		return err
	}
	dst := f.mem[off : off+len(data)]
	for i, b := range data {
		if dst[i]&b != b {
			return fmt.Errorf("flash: program at 0x%x: byte 0x%02x cannot become 0x%02x: %w",
				off+i, dst[i], b, ErrNotErased)
		}
	}
	fa, err := f.power.begin(fmt.Sprintf("program 0x%x+0x%x", off, len(data)))
	n := len(data)
	if fa == applyHalf {
		n /= 2
	}
	if fa != applyNone {
		for i := 0; i < n; i++ {
			dst[i] &= data[i]
		}
	}
	return err
}

// write erases the sectors covering [off, off+len(data)) and programs data
// in sector-sized chunks: the pattern every writer in the emulator uses.
func (f *Flash) write(off int, data []byte) error {
	n := alignUp(len(data), SectorSize)
	if err := f.Erase(off, n); err != nil {
		return err
	}
	for c := 0; c < len(data); c += SectorSize {
		if err := f.Program(off+c, data[c:min(c+SectorSize, len(data))]); err != nil {
			return err
		}
	}
	return nil
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }
