package audit

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// A record on disk is
//
//	u32 len(entry) | entry | tag[32] | u32 crc32c(everything before)
//
// The CRC tells a torn write from a tampered one only in the sense that a
// torn final record fails it; it is not a security check (the chain, MAC
// and tree are).
const frameOverhead = 4 + tagSize + 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// frame appends the record for entry and tag to dst.
func frame(dst, entry []byte, tag [tagSize]byte) []byte {
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(entry)))
	dst = append(dst, entry...)
	dst = append(dst, tag[:]...)
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// frameStatus classifies what readFrame found.
type frameStatus int

const (
	frameOK    frameStatus = iota
	frameShort             // the bytes end inside the record: a torn tail if nothing follows
	frameBad               // length out of range or CRC mismatch
)

// readFrame parses the record at the start of b and returns the entry
// bytes, the tag and the record's total length.
func readFrame(b []byte) (entry []byte, tag [tagSize]byte, n int, st frameStatus, err error) {
	if len(b) < 4 {
		return nil, tag, 0, frameShort, fmt.Errorf("%w record: %d bytes left, need a length", ErrMalformed, len(b))
	}
	l := binary.BigEndian.Uint32(b)
	if l < entryFixedLen || l > maxEntryLen {
		return nil, tag, 0, frameBad, fmt.Errorf("%w record: entry length %d out of range", ErrMalformed, l)
	}
	n = 4 + int(l) + tagSize + 4
	if len(b) < n {
		return nil, tag, 0, frameShort, fmt.Errorf("%w record: %d bytes left, record needs %d", ErrMalformed, len(b), n)
	}
	want := binary.BigEndian.Uint32(b[n-4:])
	if crc32.Checksum(b[:n-4], castagnoli) != want {
		return nil, tag, 0, frameBad, fmt.Errorf("%w record: CRC mismatch", ErrMalformed)
	}
	copy(tag[:], b[4+l:])
	return b[4 : 4+l : 4+l], tag, n, frameOK, nil
}

// allZero reports whether b holds only zero bytes, which is what some
// filesystems leave after a crash that extended a file but lost its data.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
