package emu

import "fmt"

// Fixed flash map. ESP-IDF's default partition table offset is 0x8000; a
// Secure Boot V2 bootloader with its signature sector often outgrows
// 0x8000 bytes, so projects move the table (CONFIG_PARTITION_TABLE_OFFSET).
// The emulator puts it at 0xF000, leaving 60 KiB for the signed bootloader,
// and the bootloader at 0x0 as on every chip after the ESP32 and S2.
const (
	BootloaderOffset     = 0x0
	BootloaderMax        = PartitionTableOffset - BootloaderOffset
	PartitionTableOffset = 0xF000
	otadataOffset        = 0x10000
	firstAppOffset       = 0x20000
)

// Layout chooses the size of the two OTA slots; everything else is fixed.
type Layout struct {
	SlotSize int // bytes per app slot, a multiple of 64 KiB
}

// DefaultLayout fits a 4 MiB flash chip: two 1.9 MiB slots.
var DefaultLayout = Layout{SlotSize: 0x1F0000}

// FlashSize is the flash size the layout needs.
func (l Layout) FlashSize() int { return firstAppOffset + 2*l.SlotSize }

func (l Layout) validate() error {
	if l.SlotSize <= 0 || l.SlotSize%appAlign != 0 {
		return fmt.Errorf("slot size 0x%x: want a positive multiple of 64 KiB", l.SlotSize)
	}
	if l.FlashSize() > 1<<28 {
		return fmt.Errorf("slot size 0x%x: flash beyond 256 MiB", l.SlotSize)
	}
	return nil
}

// partitions is the table provisioning writes.
func (l Layout) partitions() []Partition {
	return []Partition{
		{Type: PartTypeData, Subtype: SubtypeDataOTA, Offset: otadataOffset, Size: otadataSize, Label: "otadata"},
		{Type: PartTypeApp, Subtype: SubtypeOTA0, Offset: firstAppOffset, Size: uint32(l.SlotSize), Label: "ota_0"},
		{Type: PartTypeApp, Subtype: SubtypeOTA1, Offset: uint32(firstAppOffset + l.SlotSize), Size: uint32(l.SlotSize), Label: "ota_1"},
	}
}

// flashMap is what the bootloader learns from the partition table.
type flashMap struct {
	otadata Partition
	slots   [2]Partition // ota_0, ota_1
}

// mapFromTable finds otadata, ota_0 and ota_1 and checks they are usable:
// aligned, inside the flash, not overlapping the bootloader, the table or
// each other.
func mapFromTable(parts []Partition, flashSize int) (flashMap, error) {
	var m flashMap
	var seen [3]bool
	for _, p := range parts {
		idx := -1
		switch {
		case p.Type == PartTypeData && p.Subtype == SubtypeDataOTA:
			idx = 0
		case p.Type == PartTypeApp && p.Subtype == SubtypeOTA0:
			idx = 1
		case p.Type == PartTypeApp && p.Subtype == SubtypeOTA1:
			idx = 2
		}
		if idx < 0 {
			continue
		}
		if seen[idx] {
			return m, fmt.Errorf("%w: duplicate %s partition", ErrPartitionTable, p.Label)
		}
		seen[idx] = true
		if idx == 0 {
			m.otadata = p
		} else {
			m.slots[idx-1] = p
		}
	}
	for i, name := range []string{"otadata", "ota_0", "ota_1"} {
		if !seen[i] {
			return m, fmt.Errorf("%w: no %s partition", ErrPartitionTable, name)
		}
	}
	return m, m.check(flashSize)
}

func (m flashMap) check(flashSize int) error {
	if m.otadata.Size != otadataSize || m.otadata.Offset%SectorSize != 0 {
		return fmt.Errorf("%w: otadata must be two aligned 4 KiB sectors, got 0x%x+0x%x", ErrPartitionTable, m.otadata.Offset, m.otadata.Size)
	}
	all := []Partition{m.otadata, m.slots[0], m.slots[1]}
	for i, p := range all {
		if i > 0 && (p.Offset%appAlign != 0 || p.Size == 0) {
			return fmt.Errorf("%w: %s at 0x%x is not a 64 KiB aligned app partition", ErrPartitionTable, p.Label, p.Offset)
		}
		if int(p.Offset) < PartitionTableOffset+PartitionTableSize || uint64(p.Offset)+uint64(p.Size) > uint64(flashSize) {
			return fmt.Errorf("%w: %s 0x%x+0x%x outside the usable flash", ErrPartitionTable, p.Label, p.Offset, p.Size)
		}
		for _, q := range all[:i] {
			if p.Offset < q.Offset+q.Size && q.Offset < p.Offset+p.Size {
				return fmt.Errorf("%w: %s overlaps %s", ErrPartitionTable, p.Label, q.Label)
			}
		}
	}
	return nil
}
