//go:build unix

package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock takes an exclusive advisory lock on the log directory (flock on
// "<dir>/lock"), so a second writer, say `signbox audit export` while a
// ceremony runs, fails instead of interleaving records. The kernel drops
// the lock if the process dies, so a crash never leaves it stale.
func (d DirFS) Lock() (unlock func() error, err error) {
	f, err := os.OpenFile(filepath.Join(string(d), "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock log: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s): %v", ErrLocked, string(d), err)
	}
	return f.Close, nil
}
