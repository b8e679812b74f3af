package emu

// readOTA reads both otadata entries (one per 4 KiB sector).
func (d *Device) readOTA(m flashMap) ([2]OTAEntry, error) {
	var e [2]OTAEntry
	for i := range e {
		b, err := d.flash.view(int(m.otadata.Offset)+i*SectorSize, otaEntrySize)
		if err != nil {
			return e, err
		}
		e[i] = decodeOTAEntry(b)
	}
	return e, nil
}

// writeOTA rewrites entry i: erase its sector, program the entry (two
// writes). The other sector is never touched, which is what makes the
// two-copy scheme survive a cut in either write.
func (d *Device) writeOTA(m flashMap, i int, seq uint32, st OTAState) error {
	return d.flash.write(int(m.otadata.Offset)+i*SectorSize, encodeOTAEntry(seq, st))
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
