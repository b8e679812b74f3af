package emu

import (
	"bytes"
	"crypto/md5" //nolint:gosec // MD5 is what the ESP partition table format uses as its checksum
	"encoding/binary"
	"errors"
	"fmt"
)

// ESP partition table format (esp_flash_partitions.h, gen_esp32part.py):
// 32-byte entries {magic u16 0x50AA, type u8, subtype u8, offset u32,
// size u32, label[16] NUL-padded, flags u32}; then an MD5 entry
// {0xEB 0xEB, 14 x 0xFF, MD5 of all previous entry bytes}; the rest of the
// 0xC00-byte area is 0xFF.
const (
	PartitionTableSize = 0xC00
	partEntrySize      = 32
	partMagic          = 0x50AA
	partMD5Magic       = 0xEBEB
)

// Partition types and subtypes the emulator uses.
const (
	PartTypeApp     = 0x00
	PartTypeData    = 0x01
	SubtypeOTA0     = 0x10
	SubtypeOTA1     = 0x11
	SubtypeDataOTA  = 0x00
	appAlign        = 0x10000 // app partitions are 64 KiB aligned (MMU page)
	otadataSize     = 2 * SectorSize
	maxPartitions   = PartitionTableSize/partEntrySize - 2 // room for MD5 entry and terminator
	partLabelLength = 16
)

// ErrPartitionTable reports a partition table that is missing, corrupt or
// unusable; the bootloader halts on it.
var ErrPartitionTable = errors.New("bad partition table")

// Partition is one partition table entry.
type Partition struct {
	Type, Subtype uint8
	Offset, Size  uint32
	Label         string
	Flags         uint32
}

// EncodePartitionTable returns the 0xC00-byte table with its MD5 entry.
func EncodePartitionTable(parts []Partition) ([]byte, error) {
	if len(parts) > maxPartitions {
		return nil, fmt.Errorf("%d partitions: at most %d fit", len(parts), maxPartitions)
	}
	out := make([]byte, 0, PartitionTableSize)
	for _, p := range parts {
		if len(p.Label) >= partLabelLength {
			return nil, fmt.Errorf("partition label %q: at most %d bytes", p.Label, partLabelLength-1)
		}
		e := make([]byte, partEntrySize)
		binary.LittleEndian.PutUint16(e[0:], partMagic)
		e[2], e[3] = p.Type, p.Subtype
		binary.LittleEndian.PutUint32(e[4:], p.Offset)
		binary.LittleEndian.PutUint32(e[8:], p.Size)
		copy(e[12:28], p.Label)
		binary.LittleEndian.PutUint32(e[28:], p.Flags)
		out = append(out, e...)
	}
	sum := md5.Sum(out) //nolint:gosec // format-mandated checksum, not security
	out = append(out, 0xEB, 0xEB)
	out = append(out, bytes.Repeat([]byte{0xFF}, 14)...)
	out = append(out, sum[:]...)
	return append(out, bytes.Repeat([]byte{0xFF}, PartitionTableSize-len(out))...), nil
}

// ParsePartitionTable parses a table strictly: every entry before the MD5
// entry must carry the entry magic, the MD5 entry must be present and match,
// and everything after it must be erased (0xFF).
func ParsePartitionTable(b []byte) ([]Partition, error) {
	if len(b) != PartitionTableSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrPartitionTable, len(b), PartitionTableSize)
	}
	var parts []Partition
	for off := 0; off+partEntrySize <= len(b); off += partEntrySize {
		e := b[off : off+partEntrySize]
		switch binary.LittleEndian.Uint16(e) {
		case partMagic:
			p, err := parseEntry(e)
			if err != nil {
				return nil, fmt.Errorf("%w: entry %d: %v", ErrPartitionTable, len(parts), err)
			}
			parts = append(parts, p)
		case partMD5Magic:
			return parts, checkMD5Entry(b, off)
		default:
			return nil, fmt.Errorf("%w: entry %d at 0x%x has neither the entry nor the MD5 magic", ErrPartitionTable, len(parts), off)
		}
	}
	return nil, fmt.Errorf("%w: no MD5 entry", ErrPartitionTable)
}

func parseEntry(e []byte) (Partition, error) {
	label := e[12:28]
	n := bytes.IndexByte(label, 0)
	if n < 0 {
		return Partition{}, fmt.Errorf("label is not NUL-terminated")
	}
	if bytes.ContainsFunc(label[n:], func(r rune) bool { return r != 0 }) {
		return Partition{}, fmt.Errorf("label has bytes after its NUL")
	}
	return Partition{
		Type: e[2], Subtype: e[3],
		Offset: binary.LittleEndian.Uint32(e[4:]),
		Size:   binary.LittleEndian.Uint32(e[8:]),
		Label:  string(label[:n]),
		Flags:  binary.LittleEndian.Uint32(e[28:]),
	}, nil
}

func checkMD5Entry(b []byte, off int) error {
	e := b[off : off+partEntrySize]
	if !bytes.Equal(e[2:16], bytes.Repeat([]byte{0xFF}, 14)) {
		return fmt.Errorf("%w: MD5 entry padding is not 0xFF", ErrPartitionTable)
	}
	if sum := md5.Sum(b[:off]); !bytes.Equal(e[16:32], sum[:]) { //nolint:gosec // format checksum
		return fmt.Errorf("%w: MD5 mismatch", ErrPartitionTable)
	}
	if !bytes.Equal(b[off+partEntrySize:], bytes.Repeat([]byte{0xFF}, len(b)-off-partEntrySize)) {
		return fmt.Errorf("%w: bytes after the MD5 entry are not erased", ErrPartitionTable)
	}
	return nil
}
