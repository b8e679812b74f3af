// Package esptest builds small, deterministic, valid unsigned ESP images
// for tests, the device emulator and the demo. The layout follows the
// espsecure reference vectors: a DROM segment starting with the
// descriptor, then an IRAM segment, checksum and appended SHA-256.
package esptest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"signbox/device/esp"
)

// Options describe an image. Zero fields take the defaults noted.
type Options struct {
	Kind          esp.Kind // default esp.KindApp
	Chip          esp.Chip // default esp.ESP32C3 (the zero Chip is ESP32, so set UseESP32 for it)
	UseESP32      bool
	Size          int    // total file size, rounded up to a multiple of 16; default 64 KiB
	SecureVersion uint32 // bootloaders take 0..255
	Version       string // app version string; default "1.0.0"
	Project       string // app project name; default "signbox-test"
	Seed          uint64 // varies the filler bytes
	// NoDescriptor leaves esp_bootloader_desc_t out of a bootloader, as
	// ESP-IDF before v5.1 built them.
	NoDescriptor bool
	// MinRev and MaxRev are the header's min/max_chip_rev_full
	// (major*100+minor); defaults v0.3 .. v1.99, and v3.0 .. v3.99 on
	// ESP32, whose Secure Boot V2 needs v3.0.
	MinRev, MaxRev uint16
}

// Fixed header fields, the same as the vectors: DIO, 40 MHz, 4 MB flash;
// chip revision v0.3 .. v1.99 unless Options say otherwise.
const (
	overhead    = 24 + 2*8 // header + two segment headers
	trailer     = 32       // appended SHA-256
	minAppSize  = 1024
	appEntry    = 0x40380000
	bootEntry   = 0x403CC710
	dromAddr    = 0x3C000020
	iramAddr    = 0x40380000
	bootDram    = 0x3FCD5820
	appDescSize = 256
	bootDesc    = 80
)

// App returns a valid unsigned ESP32-C3 app image of size bytes.
func App(size int, secureVersion uint32) []byte {
	return must(Build(Options{Size: size, SecureVersion: secureVersion}))
}

// Bootloader returns a valid unsigned ESP32-C3 bootloader image.
func Bootloader(size int, secureVersion uint8) []byte {
	return must(Build(Options{Kind: esp.KindBootloader, Size: size, SecureVersion: uint32(secureVersion)}))
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// Build returns the image described by o. The same options always give
// the same bytes.
func Build(o Options) ([]byte, error) {
	o = o.withDefaults()
	if o.Size < minAppSize {
		return nil, fmt.Errorf("esptest: size %d below %d", o.Size, minAppSize)
	}
	if o.Kind == esp.KindBootloader && o.SecureVersion > 0xFF {
		return nil, fmt.Errorf("esptest: bootloader secure version %d above 255", o.SecureVersion)
	}
	// Segment data must fill the file up to the checksum byte, which sits
	// at the end of a 16-byte block: total = alignUp(overhead+data+1, 16) + 32.
	data := (o.Size - trailer - overhead - 1) &^ 3
	seg0 := (data / 2) &^ 3
	seg1 := data - seg0
	out := make([]byte, 0, o.Size)
	out = o.header(out)
	out = segment(out, o.seg0Addr(), o.descAndFill(seg0))
	out = segment(out, iramAddr, filler(o.Seed+1, seg1))
	for (len(out)+1)%16 != 0 {
		out = append(out, 0)
	}
	out = append(out, checksum(out))
	h := sha256.Sum256(out)
	return append(out, h[:]...), nil
}

func (o Options) withDefaults() Options {
	if o.Kind == 0 {
		o.Kind = esp.KindApp
	}
	if o.Chip == 0 && !o.UseESP32 {
		o.Chip = esp.ESP32C3
	}
	if o.Size == 0 {
		o.Size = 64 << 10
	}
	if o.MinRev == 0 && o.MaxRev == 0 {
		o.MinRev, o.MaxRev = 3, 199
		if o.Chip == esp.ESP32 {
			o.MinRev, o.MaxRev = 300, 399
		}
	}
	o.Size = (o.Size + 15) &^ 15
	if o.Version == "" {
		o.Version = "1.0.0"
	}
	if o.Project == "" {
		o.Project = "signbox-test"
	}
	return o
}

func (o Options) header(out []byte) []byte {
	entry := uint32(appEntry)
	if o.Kind == esp.KindBootloader {
		entry = bootEntry
	}
	out = append(out, 0xE9, 2, 2, 0x20)
	out = binary.LittleEndian.AppendUint32(out, entry)
	out = append(out, 0xEE, 0, 0, 0)
	out = binary.LittleEndian.AppendUint16(out, uint16(o.Chip))
	out = append(out, 3) // legacy min_chip_rev
	out = binary.LittleEndian.AppendUint16(out, o.MinRev)
	out = binary.LittleEndian.AppendUint16(out, o.MaxRev)
	return append(out, 0, 0, 0, 0, 1) // reserved, hash_appended
}

func (o Options) seg0Addr() uint32 {
	if o.Kind == esp.KindBootloader {
		return bootDram
	}
	return dromAddr
}

// descAndFill is the first segment: descriptor, then filler.
func (o Options) descAndFill(n int) []byte {
	d := filler(o.Seed, n)
	if o.Kind == esp.KindBootloader && o.NoDescriptor {
		// Code and data from the start; the first byte must not look like
		// the descriptor magic 0x50.
		d[0] &^= 0x40
		return d
	}
	if o.Kind == esp.KindBootloader {
		clear(d[:bootDesc])
		d[0], d[3] = 0x50, byte(o.SecureVersion)
		binary.LittleEndian.PutUint32(d[4:], 1)
		copy(d[8:40], "v5.5.1")
		copy(d[40:64], "Nov 21 2026 12:00:00")
		return d
	}
	clear(d[:appDescSize])
	binary.LittleEndian.PutUint32(d[0:], 0xABCD5432)
	binary.LittleEndian.PutUint32(d[4:], o.SecureVersion)
	copy(d[16:47], o.Version)
	copy(d[48:79], o.Project)
	copy(d[80:96], "12:00:00")
	copy(d[96:112], "Nov 21 2026")
	copy(d[112:144], "v5.5.1")
	elf := sha256.Sum256([]byte(o.Project + "/" + o.Version))
	copy(d[144:176], elf[:])
	return d
}

func segment(out []byte, addr uint32, data []byte) []byte {
	out = binary.LittleEndian.AppendUint32(out, addr)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	return append(out, data...)
}

// filler is a deterministic byte stream (SHA-256 in counter mode), so
// images compress poorly like real code and differ per seed.
func filler(seed uint64, n int) []byte {
	out := make([]byte, 0, n+32)
	var ctr [16]byte
	binary.LittleEndian.PutUint64(ctr[:], seed)
	for i := uint64(0); len(out) < n; i++ {
		binary.LittleEndian.PutUint64(ctr[8:], i)
		h := sha256.Sum256(ctr[:])
		out = append(out, h[:]...)
	}
	return out[:n]
}

func checksum(img []byte) byte {
	sum := byte(0xEF)
	off := 24
	for i := 0; i < int(img[1]); i++ {
		n := int(binary.LittleEndian.Uint32(img[off+4:]))
		for _, c := range img[off+8 : off+8+n] {
			sum ^= c
		}
		off += 8 + n
	}
	return sum
}
