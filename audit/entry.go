package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// Entry is one audit event. Its canonical encoding ([Entry.MarshalBinary])
// is what the chain, the MAC and the Merkle tree commit to.
type Entry struct {
	Origin  string    // the log's origin, e.g. "signbox.local/SN1234/audit"
	Seq     int64     // position in the log, from 0
	Epoch   uint32    // MAC key epoch
	Time    time.Time // as given by the caller; the log never reads a clock
	Type    Type
	Payload []byte
	Prev    tlog.Hash // chain hash of entry Seq-1; zero for entry 0
}

// entryMagic versions the encoding. A change to any field's meaning gets a
// new magic, never a reinterpretation of old bytes.
var entryMagic = [4]byte{'S', 'B', 'A', '1'}

// entryFixedLen is every byte of an entry except origin and payload:
// magic, origin length (1), seq (8), epoch (4), time (8), type (2),
// payload length (4), prev (32).
const entryFixedLen = 4 + 1 + 8 + 4 + 8 + 2 + 4 + tlog.HashSize

// ErrMalformed reports bytes that are not a well-formed entry, record or
// checkpoint.
var ErrMalformed = errors.New("malformed")

// MarshalBinary returns the canonical encoding:
//
//	"SBA1" | u8 len | origin | u64 seq | u32 epoch | i64 unix-nanos |
//	u16 type | u32 len | payload | prev[32]
//
// All integers are big-endian. Every field has one encoding, so equal
// entries have equal bytes.
func (e *Entry) MarshalBinary() ([]byte, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, entryFixedLen+len(e.Origin)+len(e.Payload))
	b = append(b, entryMagic[:]...)
	b = append(b, byte(len(e.Origin)))
	b = append(b, e.Origin...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint32(b, e.Epoch)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	b = binary.BigEndian.AppendUint16(b, uint16(e.Type))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Payload)))
	b = append(b, e.Payload...)
	b = append(b, e.Prev[:]...)
	return b, nil
}

func (e *Entry) validate() error {
	if err := checkOrigin(e.Origin); err != nil {
		return err
	}
	return e.validateRest()
}

// validateRest checks every field but the origin.
func (e *Entry) validateRest() error {
	if e.Seq < 0 {
		return fmt.Errorf("entry: negative sequence %d", e.Seq)
	}
	if !timeInRange(e.Time) {
		return fmt.Errorf("entry %d: time %v outside the encodable range (1678-2262)", e.Seq, e.Time)
	}
	if !e.Type.Known() {
		return fmt.Errorf("entry %d: unknown type %d", e.Seq, e.Type)
	}
	if len(e.Payload) > MaxPayload {
		return fmt.Errorf("entry %d: payload is %d bytes, limit %d", e.Seq, len(e.Payload), MaxPayload)
	}
	return nil
}

// timeInRange reports whether t survives a round trip through UnixNano.
// The zero time.Time does not, so a caller that forgot the time fails.
func timeInRange(t time.Time) bool {
	return t.Equal(time.Unix(0, t.UnixNano()))
}

// ParseEntry decodes a canonical entry. It is strict: unknown magic or
// type, a bad origin, and trailing bytes are errors, so that exactly one
// byte string decodes to each entry.
func ParseEntry(b []byte) (Entry, error) { return parseEntry(b, "") }

// parseEntry is ParseEntry with a known-valid origin: an entry naming it
// shares the string instead of allocating and re-checking one, which is
// most of the cost of verifying a million entries.
func parseEntry(b []byte, known string) (Entry, error) {
	var e Entry
	if len(b) < entryFixedLen || len(b) > maxEntryLen {
		return e, fmt.Errorf("%w entry: %d bytes", ErrMalformed, len(b))
	}
	if [4]byte(b[:4]) != entryMagic {
		return e, fmt.Errorf("%w entry: bad magic %q", ErrMalformed, b[:4])
	}
	r := reader{b: b[4:]}
	origin := r.next(int(r.u8()))
	knownOrigin := known != "" && string(origin) == known
	if knownOrigin {
		e.Origin = known
	} else {
		e.Origin = string(origin)
	}
	e.Seq = int64(r.u64())
	e.Epoch = r.u32()
	nanos := int64(r.u64())
	e.Type = Type(r.u16())
	n := r.u32()
	if n > MaxPayload {
		return e, fmt.Errorf("%w entry: payload length %d over limit", ErrMalformed, n)
	}
	e.Payload = r.next(int(n))
	copy(e.Prev[:], r.next(tlog.HashSize))
	if r.short {
		return e, fmt.Errorf("%w entry: truncated", ErrMalformed)
	}
	if len(r.b) != 0 {
		return e, fmt.Errorf("%w entry: %d trailing bytes", ErrMalformed, len(r.b))
	}
	if e.Seq < 0 {
		return e, fmt.Errorf("%w entry: sequence out of range", ErrMalformed)
	}
	e.Time = time.Unix(0, nanos).UTC()
	validate := e.validate
	if knownOrigin {
		validate = e.validateRest
	}
	if err := validate(); err != nil {
		return e, fmt.Errorf("%w %w", ErrMalformed, err)
	}
	return e, nil
}

// checkOrigin applies the signed-note key-name rules (non-empty UTF-8, no
// spaces, no '+'), because the origin doubles as the checkpoint key name.
func checkOrigin(o string) error {
	if o == "" || len(o) > maxOriginLen {
		return fmt.Errorf("origin %q: must be 1-%d bytes", o, maxOriginLen)
	}
	if !utf8.ValidString(o) || strings.ContainsRune(o, '+') ||
		strings.IndexFunc(o, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("origin %q: must be UTF-8 without spaces, control characters or '+'", o)
	}
	return nil
}

// reader consumes big-endian fields; running out sets short instead of
// panicking, and the caller checks it once at the end.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) next(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.short = true
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	if v := r.next(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if v := r.next(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.next(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.next(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return math.MaxUint64
}
