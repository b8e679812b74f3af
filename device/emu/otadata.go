package emu

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// OTAState is esp_ota_img_states_t.
type OTAState uint32

// OTA image states (esp_flash_partitions.h).
const (
	StateNew           OTAState = 0
	StatePendingVerify OTAState = 1
	StateValid         OTAState = 2
	StateInvalid       OTAState = 3
	StateAborted       OTAState = 4
	StateUndefined     OTAState = 0xFFFFFFFF
)

func (s OTAState) String() string {
	switch s {
	case StateNew:
		return "NEW"
	case StatePendingVerify:
		return "PENDING_VERIFY"
	case StateValid:
		return "VALID"
	case StateInvalid:
		return "INVALID"
	case StateAborted:
		return "ABORTED"
	case StateUndefined:
		return "UNDEFINED"
	}
	return fmt.Sprintf("0x%08x", uint32(s))
}

// OTAEntry is one esp_ota_select_entry_t as read from an otadata sector.
type OTAEntry struct {
	Seq   uint32
	State OTAState
	CRCOK bool // the CRC over ota_seq matches
}

const otaEntrySize = 32

// blank reports an erased entry.
func (e OTAEntry) blank() bool { return e.Seq == 0xFFFFFFFF }

// usable is bootloader_common_ota_select_valid plus the state check of
// bootloader_common_select_otadata: a real sequence number with a good CRC
// in a state other than INVALID or ABORTED.
func (e OTAEntry) usable() bool {
	return !e.blank() && e.CRCOK && e.State != StateInvalid && e.State != StateAborted
}

// blankOrBad is the condition under which the bootloader treats otadata as
// never written and initialises entry 0 (ota_has_initial_contents).
func (e OTAEntry) blankOrBad() bool { return e.blank() || !e.CRCOK }

// slot is (ota_seq - 1) % 2.
func (e OTAEntry) slot() int { return int((e.Seq - 1) % 2) }

// otaCRC is esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4), which in Go terms
// is crc32.Update(0xFFFFFFFF, IEEE, le32(seq)) (esp-idf-formats.md §5;
// vectors: seq 1 -> 0x4743989A).
func otaCRC(seq uint32) uint32 {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], seq)
	return crc32.Update(0xFFFFFFFF, crc32.IEEETable, b[:])
}

// encodeOTAEntry returns the 32 bytes: seq, 20 x 0xFF seq_label, state, crc.
func encodeOTAEntry(seq uint32, st OTAState) []byte {
	b := make([]byte, otaEntrySize)
	binary.LittleEndian.PutUint32(b[0:], seq)
	for i := 4; i < 24; i++ {
		b[i] = 0xFF
	}
	binary.LittleEndian.PutUint32(b[24:], uint32(st))
	binary.LittleEndian.PutUint32(b[28:], otaCRC(seq))
	return b
}

// decodeOTAEntry never fails: the bootloader treats any bytes as an entry
// and decides usability from the sequence number, CRC and state.
func decodeOTAEntry(b []byte) OTAEntry {
	seq := binary.LittleEndian.Uint32(b[0:])
	return OTAEntry{
		Seq:   seq,
		State: OTAState(binary.LittleEndian.Uint32(b[24:])),
		CRCOK: binary.LittleEndian.Uint32(b[28:]) == otaCRC(seq),
	}
}

// activeEntry is bootloader_common_get_active_otadata: the usable entry
// with the larger sequence number, or -1.
func activeEntry(e [2]OTAEntry) int {
	return pickEntry(e, [2]bool{e[0].usable(), e[1].usable()})
}

// pickEntry is bootloader_common_select_otadata over a validity mask.
func pickEntry(e [2]OTAEntry, ok [2]bool) int {
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
