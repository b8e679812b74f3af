package audit

import (
	"errors"
	"fmt"
)

// Sentinel errors callers may test with errors.Is.
var (
	// ErrTampered: the log or an export contradicts itself, its MACs or a
	// signed checkpoint. Open refuses such a log; Verify reports it.
	ErrTampered = errors.New("audit log tampered")

	// ErrRollback: the log is shorter than the monotonic floor (the size of
	// the last checkpoint ever issued), so it was truncated or restored
	// from an older copy.
	ErrRollback = errors.New("audit log rolled back")

	// ErrBroken: an earlier write failed, so memory and disk may disagree.
	// The log refuses further use; reopening it runs recovery.
	ErrBroken = errors.New("audit log needs reopening after a failed write")

	// ErrLocked: another Log (in this or another process) has the log
	// directory open for writing.
	ErrLocked = errors.New("audit log is open elsewhere")

	// ErrNoKey: a key ring has no MAC key for the requested epoch (never
	// created, or retired for forward integrity).
	ErrNoKey = errors.New("no MAC key for epoch")
)

func errTagSize(n int) error {
	return fmt.Errorf("MAC produced %d bytes, want %d (not HMAC-SHA256?)", n, tagSize)
}
