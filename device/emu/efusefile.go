package emu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// efuse.bin: "SBXEFUS2", chip_id u16 LE, the eFuse array, CRC-32 (IEEE) of
// everything before it. The CRC only catches a damaged state file; the
// emulator's threat model does not include someone editing its own state.
//
// "SBXEFUS1" files (a 16-bit SECURE_VERSION, two bytes shorter) are still
// read: the field's bits move into the low half of the 32-bit one.
var (
	efuseMagic   = []byte("SBXEFUS2")
	efuseMagicV1 = []byte("SBXEFUS1")
)

const (
	efuseFileSize   = 8 + 2 + efuseSize + 4
	efuseSizeV1     = efuseSize - 2
	efuseFileSizeV1 = 8 + 2 + efuseSizeV1 + 4
)

// ErrStateCorrupt reports a state file that does not parse.
var ErrStateCorrupt = errors.New("device state file corrupt")

func marshalEFuses(chipID uint16, e *EFuses) []byte {
	b := make([]byte, 0, efuseFileSize)
	b = append(b, efuseMagic...)
	b = binary.LittleEndian.AppendUint16(b, chipID)
	b = append(b, e.bits[:]...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// parseEFuses is strict: exact size, magic, CRC.
func parseEFuses(b []byte) (chipID uint16, bits [efuseSize]byte, err error) {
	v1 := len(b) == efuseFileSizeV1 && bytes.Equal(b[:8], efuseMagicV1)
	if !v1 && len(b) != efuseFileSize {
		return 0, bits, fmt.Errorf("efuse.bin: %d bytes, want %d: %w", len(b), efuseFileSize, ErrStateCorrupt)
	}
	if !v1 && !bytes.Equal(b[:8], efuseMagic) {
		return 0, bits, fmt.Errorf("efuse.bin: bad magic: %w", ErrStateCorrupt)
	}
	body := b[:len(b)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return 0, bits, fmt.Errorf("efuse.bin: CRC mismatch: %w", ErrStateCorrupt)
	}
	arr := body[10:]
	if v1 {
		copy(bits[:offSecVer+2], arr[:offSecVer+2])
		copy(bits[offKeys:], arr[offSecVer+2:])
	} else {
		copy(bits[:], arr)
	}
	return binary.LittleEndian.Uint16(b[8:]), bits, nil
}
