package mcuboot

import (
	"errors"
	"fmt"
)

// Sentinel errors, one per kind of malformation or failed check, so
// callers and tests can tell them apart with errors.Is. Parse errors are
// wrapped in a *FormatError that names the field and its offset.
var (
	ErrTruncated     = errors.New("truncated")
	ErrTooLarge      = errors.New("image too large")
	ErrBadMagic      = errors.New("bad image magic")
	ErrBadHeader     = errors.New("bad header field")
	ErrTLVInfoMagic  = errors.New("bad TLV info magic")
	ErrProtectedSize = errors.New("protected TLV area size does not match the header")
	ErrTLVOverrun    = errors.New("TLV runs past the end of its area")
	ErrTooManyTLVs   = errors.New("too many TLVs")
	ErrTLVLength     = errors.New("bad TLV length")
	ErrBadTLV        = errors.New("malformed TLV value")
	ErrMisplacedTLV  = errors.New("TLV in the wrong area")
	ErrDuplicateTLV  = errors.New("duplicate TLV")
	ErrTrailingData  = errors.New("unexpected data after the TLV area")

	ErrUnsupportedKey     = errors.New("unsupported key type")
	ErrUnsupported        = errors.New("image feature not supported")
	ErrNoHash             = errors.New("image has no hash TLV")
	ErrHashAlgorithm      = errors.New("image hash algorithm does not match the key type")
	ErrHashMismatch       = errors.New("image hash mismatch")
	ErrNoKeyHash          = errors.New("image has no key hash or public key TLV")
	ErrKeyHashMismatch    = errors.New("key hash does not match the public key")
	ErrNoSignature        = errors.New("image has no signature TLV for the key type")
	ErrBadSignature       = errors.New("signature does not verify")
	ErrNoSecurityCounter  = errors.New("image has no security counter")
	ErrSecurityCounterLow = errors.New("security counter below the floor")
	ErrAlreadyImage       = errors.New("input is already an MCUboot image")
	ErrBadOptions         = errors.New("bad options")
)

// FormatError reports a malformed image: what was wrong (Err, one of the
// sentinels) and where (byte offset and field name, as image.h names it).
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
