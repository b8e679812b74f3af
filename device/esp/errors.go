package esp

import (
	"errors"
	"fmt"
)

// Sentinel errors, one per kind of malformation, so callers and tests can
// tell them apart with errors.Is. They are usually wrapped in a
// *FormatError or *BlockError that says where the problem is.
var (
	ErrTruncated         = errors.New("truncated")
	ErrBadMagic          = errors.New("bad magic")
	ErrTooManySegments   = errors.New("too many segments")
	ErrSegmentPastEnd    = errors.New("segment length runs past the end of the file")
	ErrMisalignedSegment = errors.New("segment length is not a multiple of 4")
	ErrChecksum          = errors.New("checksum mismatch")
	ErrHashMismatch      = errors.New("appended sha-256 mismatch")
	ErrNoDescriptor      = errors.New("missing app or bootloader descriptor")
	ErrTrailingData      = errors.New("unexpected data after the image")
	ErrTooLarge          = errors.New("image too large")
	ErrBadHeader         = errors.New("bad header field")

	ErrNotSigned        = errors.New("image has no signature sector")
	ErrSigned           = errors.New("image is already signed")
	ErrNoBlock          = errors.New("signature sector has no block")
	ErrBlockCRC         = errors.New("signature block crc mismatch")
	ErrBlockVersion     = errors.New("unknown signature block version")
	ErrBlockFields      = errors.New("malformed signature block")
	ErrUnsupportedKey   = errors.New("unsupported key type")
	ErrDigestMismatch   = errors.New("block digest does not match the image")
	ErrBadSignature     = errors.New("signature does not verify")
	ErrTooManyBlocks    = errors.New("too many signature blocks")
	ErrMixedSchemes     = errors.New("signature blocks use different schemes")
	ErrChipScheme       = errors.New("chip does not support this signature scheme")
	ErrUnknownChip      = errors.New("unknown chip")
	ErrChipRevision     = errors.New("chip revision without secure boot v2")
	ErrNoValidSignature = errors.New("no signature block verifies")
	ErrImageChanged     = errors.New("signed image is not the built image plus signatures")
	ErrOTAEntry         = errors.New("malformed otadata")
)

// FormatError reports a malformed image: what was wrong (Err, one of the
// sentinels) and where (byte offset and field name).
type FormatError struct {
	Offset int
	Field  string
	Detail string
	Err    error
}

func (e *FormatError) Error() string {
	s := fmt.Sprintf("%s at offset %#x: %v", e.Field, e.Offset, e.Err)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(off int, field string, err error, detail string, args ...any) *FormatError {
	return &FormatError{Offset: off, Field: field, Err: err, Detail: fmt.Sprintf(detail, args...)}
}

// BlockError reports a problem with one signature block (0, 1 or 2).
type BlockError struct {
	Block int
	Err   error
}

func (e *BlockError) Error() string { return fmt.Sprintf("signature block %d: %v", e.Block, e.Err) }
func (e *BlockError) Unwrap() error { return e.Err }

// VerifyError says why no block of a signed image verified: one entry per
// block, in block order. It matches ErrNoValidSignature.
type VerifyError struct {
	Blocks []error
}

func (e *VerifyError) Error() string {
	s := ErrNoValidSignature.Error()
	for _, b := range e.Blocks {
		s += "; " + b.Error()
	}
	return s
}

func (e *VerifyError) Unwrap() []error { return append([]error{ErrNoValidSignature}, e.Blocks...) }
