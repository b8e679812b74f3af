package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"signbox/internal/atomicfile"
)

// Floor is a monotonic counter holding the size of the last checkpoint the
// log issued. Kept where the log's own files are not (an HSM object, the
// device's RPMB-like counter, another disk), it exposes truncation and a
// restore of an older log copy: the log can never be shorter than it.
type Floor interface {
	Load() (int64, error)
	// Raise sets the floor to size; lowering it must fail.
	Raise(size int64) error
}

// FileFloor is a Floor in a state file, replaced atomically. It protects
// only as well as the file is kept apart from the log directory.
type FileFloor string

// Load returns the stored size, or 0 if the file does not exist yet.
func (f FileFloor) Load() (int64, error) {
	b, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read floor: %w", err)
	}
	s, ok := strings.CutSuffix(string(b), "\n")
	n, perr := strconv.ParseInt(s, 10, 64)
	if !ok || perr != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("floor %s: %w contents %q", string(f), ErrMalformed, b)
	}
	return n, nil
}

func (f FileFloor) Raise(size int64) error {
	cur, err := f.Load()
	if err != nil {
		return err
	}
	if size < cur {
		return fmt.Errorf("floor %s: refusing to lower %d to %d: %w", string(f), cur, size, ErrRollback)
	}
	if size == cur {
		return nil
	}
	return atomicfile.Replace(string(f), []byte(strconv.FormatInt(size, 10)+"\n"), 0o600)
}

// MemFloor is a Floor in memory, for tests and for callers that persist
// the counter themselves.
type MemFloor struct{ N int64 }

func (m *MemFloor) Load() (int64, error) { return m.N, nil }

func (m *MemFloor) Raise(size int64) error {
	if size < m.N {
		return fmt.Errorf("floor: refusing to lower %d to %d: %w", m.N, size, ErrRollback)
	}
	m.N = size
	return nil
}
