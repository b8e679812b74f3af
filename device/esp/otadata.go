package esp

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// otadata layout (esp_flash_partitions.h): two 4 KiB sectors, one
// esp_ota_select_entry_t of 32 bytes at the start of each.
const (
	OTAEntrySize = 32
	OTADataSize  = 2 * SectorSize
	otaSeqErased = 0xFFFFFFFF
)

// OTAState is esp_ota_img_states_t.
type OTAState uint32

const (
	OTANew           OTAState = 0
	OTAPendingVerify OTAState = 1
	OTAValid         OTAState = 2
	OTAInvalid       OTAState = 3
	OTAAborted       OTAState = 4
	OTAUndefined     OTAState = 0xFFFFFFFF
)

func (s OTAState) String() string {
	switch s {
	case OTANew:
		return "NEW"
	case OTAPendingVerify:
		return "PENDING_VERIFY"
	case OTAValid:
		return "VALID"
	case OTAInvalid:
		return "INVALID"
	case OTAAborted:
		return "ABORTED"
	case OTAUndefined:
		return "UNDEFINED"
	}
	return fmt.Sprintf("state(%#x)", uint32(s))
}

// OTAEntry is esp_ota_select_entry_t.
type OTAEntry struct {
	Seq      uint32
	SeqLabel [20]byte // unused by ESP-IDF, 0xFF
	State    OTAState
	CRC      uint32
}

// OTACRC is the entry CRC: esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4),
// which covers ota_seq only and is not the standard CRC-32 of those bytes.
func OTACRC(seq uint32) uint32 {
	return crc32.Update(0xFFFFFFFF, crc32.IEEETable, binary.LittleEndian.AppendUint32(nil, seq))
}

// NewOTAEntry returns the entry ESP-IDF writes for seq and state: label
// erased and CRC set.
func NewOTAEntry(seq uint32, state OTAState) OTAEntry {
	e := OTAEntry{Seq: seq, State: state, CRC: OTACRC(seq)}
	for i := range e.SeqLabel {
		e.SeqLabel[i] = 0xFF
	}
	return e
}

// CRCValid reports whether the stored CRC matches ota_seq.
func (e OTAEntry) CRCValid() bool { return e.CRC == OTACRC(e.Seq) }

// Usable is the bootloader's test (bootloader_common_ota_select_valid):
// sequence written, CRC good, state neither INVALID nor ABORTED.
func (e OTAEntry) Usable() bool {
	return e.Seq != otaSeqErased && e.CRCValid() && e.State != OTAInvalid && e.State != OTAAborted
}

// Erased reports an entry that was never written (all 0xFF).
func (e OTAEntry) Erased() bool {
	return e == OTAEntry{Seq: otaSeqErased, SeqLabel: NewOTAEntry(0, 0).SeqLabel, State: OTAUndefined, CRC: otaSeqErased}
}

// EncodeOTAEntry returns the 32 bytes of e as stored in flash.
func EncodeOTAEntry(e OTAEntry) [OTAEntrySize]byte {
	var b [OTAEntrySize]byte
	binary.LittleEndian.PutUint32(b[0:], e.Seq)
	copy(b[4:24], e.SeqLabel[:])
	binary.LittleEndian.PutUint32(b[24:], uint32(e.State))
	binary.LittleEndian.PutUint32(b[28:], e.CRC)
	return b
}

// DecodeOTAEntry reads a 32-byte entry. A bad CRC is not an error (the
// bootloader just treats the entry as unusable); check CRCValid or Usable.
func DecodeOTAEntry(b []byte) (OTAEntry, error) {
	if len(b) != OTAEntrySize {
		return OTAEntry{}, fmt.Errorf("%w: entry is %d bytes, want %d", ErrOTAEntry, len(b), OTAEntrySize)
	}
	e := OTAEntry{
		Seq:   binary.LittleEndian.Uint32(b[0:]),
		State: OTAState(binary.LittleEndian.Uint32(b[24:])),
		CRC:   binary.LittleEndian.Uint32(b[28:]),
	}
	copy(e.SeqLabel[:], b[4:24])
	return e, nil
}

// EncodeOTAData returns a whole 8 KiB otadata partition: entry i at the
// start of sector i, the rest erased.
func EncodeOTAData(entries [2]OTAEntry) []byte {
	out := make([]byte, OTADataSize)
	for i := range out {
		out[i] = 0xFF
	}
	for i, e := range entries {
		b := EncodeOTAEntry(e)
		copy(out[i*SectorSize:], b[:])
	}
	return out
}

// DecodeOTAData reads the two entries of an otadata partition (at least
// 8 KiB; the rest of each sector is ignored, as the bootloader does).
func DecodeOTAData(b []byte) ([2]OTAEntry, error) {
	var out [2]OTAEntry
	if len(b) < OTADataSize {
		return out, fmt.Errorf("%w: partition is %d bytes, want at least %d", ErrOTAEntry, len(b), OTADataSize)
	}
	for i := range out {
		e, err := DecodeOTAEntry(b[i*SectorSize : i*SectorSize+OTAEntrySize])
		if err != nil {
			return out, err
		}
		out[i] = e
	}
	return out, nil
}
