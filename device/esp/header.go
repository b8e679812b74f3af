package esp

import "encoding/binary"

// Image header constants (esp_image_header_t, esp_app_format.h).
const (
	imageMagic       = 0xE9
	headerSize       = 24
	segmentHdrSize   = 8
	checksumSeed     = 0xEF
	appendedHashSize = 32
)

// Header is esp_image_header_t, 24 bytes at the start of every image.
type Header struct {
	SegmentCount   int
	SPIMode        byte // 0 QIO, 1 QOUT, 2 DIO, 3 DOUT, 4 FAST_READ, 5 SLOW_READ
	SPISpeed       byte // low nibble of byte 3
	SPISize        byte // high nibble of byte 3
	EntryAddr      uint32
	WPPin          byte
	SPIPinDrv      [3]byte
	Chip           Chip
	MinChipRev     byte // legacy, major only
	MinChipRevFull uint16
	MaxChipRevFull uint16
	HashAppended   bool
}

func parseHeader(b []byte) (Header, error) {
	if len(b) < headerSize {
		return Header{}, formatErr(0, "image header", ErrTruncated, "file is %d bytes, header needs %d", len(b), headerSize)
	}
	if b[0] != imageMagic {
		return Header{}, formatErr(0, "image header magic", ErrBadMagic, "got %#02x, want %#02x", b[0], imageMagic)
	}
	h := Header{
		SegmentCount:   int(b[1]),
		SPIMode:        b[2],
		SPISpeed:       b[3] & 0x0F,
		SPISize:        b[3] >> 4,
		EntryAddr:      binary.LittleEndian.Uint32(b[4:]),
		WPPin:          b[8],
		SPIPinDrv:      [3]byte{b[9], b[10], b[11]},
		Chip:           Chip(binary.LittleEndian.Uint16(b[12:])),
		MinChipRev:     b[14],
		MinChipRevFull: binary.LittleEndian.Uint16(b[15:]),
		MaxChipRevFull: binary.LittleEndian.Uint16(b[17:]),
	}
	if h.SegmentCount > MaxSegments {
		return Header{}, formatErr(1, "segment_count", ErrTooManySegments, "%d, at most %d", h.SegmentCount, MaxSegments)
	}
	switch b[23] {
	case 0:
	case 1:
		h.HashAppended = true
	default:
		return Header{}, formatErr(23, "hash_appended", ErrBadHeader, "%#02x, want 0 or 1", b[23])
	}
	return h, nil
}

// SPIModeName names the header's SPI flash mode as esptool does.
func (h Header) SPIModeName() string {
	names := []string{"QIO", "QOUT", "DIO", "DOUT", "FAST_READ", "SLOW_READ"}
	if int(h.SPIMode) < len(names) {
		return names[h.SPIMode]
	}
	return "unknown"
}

// FlashSizeName names the header's flash size nibble (1MB ... 128MB).
func (h Header) FlashSizeName() string {
	names := []string{"1MB", "2MB", "4MB", "8MB", "16MB", "32MB", "64MB", "128MB"}
	if int(h.SPISize) < len(names) {
		return names[h.SPISize]
	}
	return "unknown"
}
