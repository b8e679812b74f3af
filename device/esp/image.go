package esp

import (
	"crypto/sha256"
	"encoding/binary"
)

// Segment is one loadable segment: its load address and where its data
// lies in the file.
type Segment struct {
	LoadAddr uint32
	Offset   int // file offset of the data (after the 8-byte segment header)
	Len      int
}

// Image is a parsed, validated ESP app or bootloader image, optionally
// followed by 0xFF padding and a Secure Boot V2 signature sector.
type Image struct {
	Header     Header
	Segments   []Segment
	Kind       Kind
	App        *AppDesc        // set when Kind == KindApp
	Bootloader *BootloaderDesc // set when Kind == KindBootloader
	Checksum   byte
	Hash       [32]byte // appended SHA-256, if Header.HashAppended

	// Len is the image proper: header through the checksum and appended
	// hash. PaddedLen is Len rounded up to SectorSize, the bytes a Secure
	// Boot V2 signature covers.
	Len       int
	PaddedLen int

	// Sector is the raw 4096-byte signature sector, nil if unsigned. Parse
	// it with ParseSignatureSector or (*Image).Signatures.
	Sector []byte

	data    []byte
	digests *digestCache
}

// ParseImage parses and validates an image file: header, segments,
// checksum, appended SHA-256 and descriptor. After the image it accepts
// nothing, 0xFF padding up to the next 4096 boundary, or that padding plus
// exactly one 4096-byte signature sector; anything else is ErrTrailingData.
// The returned Image refers to b; do not modify b while using it.
func ParseImage(b []byte) (*Image, error) {
	img, err := parseImage(b)
	if err != nil {
		return nil, err
	}
	if err := img.parseTail(b[img.Len:]); err != nil {
		return nil, err
	}
	return img, nil
}

// ParseFlash parses an image the way the bootloader reads it from a flash
// partition: whatever follows the image's padded length is taken as the
// signature sector (4096 bytes, if the partition has them) and the rest of
// the partition is ignored.
func ParseFlash(partition []byte) (*Image, error) {
	img, err := parseImage(partition)
	if err != nil {
		return nil, err
	}
	if end := img.PaddedLen + SectorSize; end <= len(partition) {
		img.Sector = partition[img.PaddedLen:end]
		img.data = partition[:end]
	} else {
		img.data = partition[:img.Len]
	}
	return img, nil
}

func parseImage(b []byte) (*Image, error) {
	if len(b) > MaxImageSize {
		return nil, formatErr(0, "image", ErrTooLarge, "%d bytes, at most %d", len(b), MaxImageSize)
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	img := &Image{Header: h, data: b, digests: &digestCache{}}
	off, err := img.parseSegments(b)
	if err != nil {
		return nil, err
	}
	if err := img.checkSums(b, off); err != nil {
		return nil, err
	}
	if len(img.Segments) == 0 {
		return nil, formatErr(descOffset, "descriptor", ErrNoDescriptor, "image has no segments")
	}
	first := img.Segments[0]
	parseDesc(img, b[first.Offset:first.Offset+first.Len])
	return img, nil
}

// parseSegments reads the segment table and returns the offset just past
// the last segment's data.
func (img *Image) parseSegments(b []byte) (int, error) {
	off := headerSize
	for i := 0; i < img.Header.SegmentCount; i++ {
		if off+segmentHdrSize > len(b) {
			return 0, formatErr(off, segField(i, "header"), ErrTruncated, "file ends at %#x", len(b))
		}
		s := Segment{
			LoadAddr: binary.LittleEndian.Uint32(b[off:]),
			Offset:   off + segmentHdrSize,
		}
		n := binary.LittleEndian.Uint32(b[off+4:])
		if n%4 != 0 {
			return 0, formatErr(off+4, segField(i, "data_len"), ErrMisalignedSegment, "%d", n)
		}
		if uint64(n) > uint64(len(b)-s.Offset) {
			return 0, formatErr(off+4, segField(i, "data_len"), ErrSegmentPastEnd,
				"%d bytes from %#x, file ends at %#x", n, s.Offset, len(b))
		}
		s.Len = int(n)
		img.Segments = append(img.Segments, s)
		off = s.Offset + s.Len
	}
	return off, nil
}

func segField(i int, f string) string { return "segment " + itoa(i) + " " + f }

// checkSums verifies the checksum byte and appended SHA-256 that follow
// the segments, and sets Len and PaddedLen.
func (img *Image) checkSums(b []byte, end int) error {
	csOff := alignUp(end+1, 16) - 1
	if csOff >= len(b) {
		return formatErr(csOff, "checksum", ErrTruncated, "file ends at %#x", len(b))
	}
	img.Checksum = b[csOff]
	img.Len = csOff + 1
	var sum byte = checksumSeed
	for _, s := range img.Segments {
		sum = xorBytes(sum, b[s.Offset:s.Offset+s.Len])
	}
	if sum != img.Checksum {
		return formatErr(csOff, "checksum", ErrChecksum, "stored %#02x, computed %#02x", img.Checksum, sum)
	}
	if img.Header.HashAppended {
		if img.Len+appendedHashSize > len(b) {
			return formatErr(img.Len, "appended sha-256", ErrTruncated, "file ends at %#x", len(b))
		}
		copy(img.Hash[:], b[img.Len:])
		if got := sha256.Sum256(b[:img.Len]); got != img.Hash {
			return formatErr(img.Len, "appended sha-256", ErrHashMismatch, "stored %x, computed %x", img.Hash, got)
		}
		img.Len += appendedHashSize
	}
	img.PaddedLen = alignUp(img.Len, SectorSize)
	return nil
}

// parseTail accepts nothing, 0xFF padding, or padding plus one sector.
func (img *Image) parseTail(tail []byte) error {
	padLen := img.PaddedLen - img.Len
	pad := tail[:min(padLen, len(tail))]
	if i := firstNotFF(pad); i < len(pad) {
		return formatErr(img.Len+i, "padding", ErrTrailingData, "padding after the image must be 0xFF, got %#02x", pad[i])
	}
	switch rest := len(tail) - len(pad); rest {
	case 0:
	case SectorSize:
		img.Sector = tail[padLen:]
	default:
		return formatErr(img.PaddedLen, "signature sector", ErrTrailingData,
			"%d bytes after the padded image, want 0 or %d", rest, SectorSize)
	}
	return nil
}

func firstNotFF(b []byte) int {
	for i, c := range b {
		if c != 0xFF {
			return i
		}
	}
	return len(b)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Bytes returns the file the image was parsed from (image, padding and
// sector as present).
func (img *Image) Bytes() []byte { return img.data }

// SegmentData returns segment i's bytes.
func (img *Image) SegmentData(i int) []byte {
	s := img.Segments[i]
	return img.data[s.Offset : s.Offset+s.Len]
}

// SecureVersion is the anti-rollback version from the app or bootloader
// descriptor; 0 for a bootloader without one (ESP-IDF before v5.1).
func (img *Image) SecureVersion() uint32 {
	switch {
	case img.App != nil:
		return img.App.SecureVersion
	case img.Bootloader != nil:
		return uint32(img.Bootloader.SecureVersion)
	}
	return 0
}

// Signed reports whether a signature sector follows the image.
func (img *Image) Signed() bool { return img.Sector != nil }
