package emu

import "signbox/device/esp"

// readOTA reads both otadata entries (one per 4 KiB sector).
func (d *Device) readOTA(m flashMap) ([2]esp.OTAEntry, error) {
	b, err := d.flash.view(int(m.otadata.Offset), esp.OTADataSize)
	if err != nil {
		return [2]esp.OTAEntry{}, err
	}
	return esp.DecodeOTAData(b)
}

// writeOTA rewrites entry i: erase its sector, program the entry (two
// writes). The other sector is never touched, which is what makes the
// two-copy scheme survive a cut in either write.
func (d *Device) writeOTA(m flashMap, i int, seq uint32, st esp.OTAState) error {
	b := esp.EncodeOTAEntry(esp.NewOTAEntry(seq, st))
	return d.flash.write(int(m.otadata.Offset)+i*SectorSize, b[:])
}

// readMap reads and checks the partition table.
func (d *Device) readMap() (flashMap, error) {
	b, err := d.flash.view(PartitionTableOffset, PartitionTableSize)
	if err != nil {
		return flashMap{}, err
	}
	parts, err := ParsePartitionTable(b)
	if err != nil {
		return flashMap{}, err
	}
	return mapFromTable(parts, d.flash.Size())
}
