package emu

import "signbox/device/esp"

// The otadata entry format (esp_ota_select_entry_t, its CRC and states) is
// device/esp's; this file holds only the bootloader's decisions over the two
// entries.

// blankOrBad is the condition under which the bootloader treats otadata as
// never written and initialises entry 0 (ota_has_initial_contents):
// sequence erased or CRC wrong.
func blankOrBad(e esp.OTAEntry) bool { return e.Seq == 0xFFFFFFFF || !e.CRCValid() }

// entrySlot is (ota_seq - 1) % 2, the slot an entry selects.
func entrySlot(e esp.OTAEntry) int { return int((e.Seq - 1) % 2) }

// activeEntry is bootloader_common_get_active_otadata: the usable entry
// with the larger sequence number, or -1.
func activeEntry(e [2]esp.OTAEntry) int {
	return pickEntry(e, [2]bool{e[0].Usable(), e[1].Usable()})
}

// pickEntry is bootloader_common_select_otadata over a validity mask.
func pickEntry(e [2]esp.OTAEntry, ok [2]bool) int {
	switch {
	case ok[0] && ok[1]:
		if e[1].Seq > e[0].Seq {
			return 1
		}
		return 0
	case ok[0]:
		return 0
	case ok[1]:
		return 1
	}
	return -1
}

// nextSeq is the smallest sequence number above cur that selects slot.
func nextSeq(cur uint32, slot int) uint32 {
	s := cur + 1
	for int((s-1)%2) != slot {
		s++
	}
	return s
}
