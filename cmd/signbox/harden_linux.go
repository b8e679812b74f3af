//go:build linux

package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// harden runs first in main, before any PIN is read. No core file is ever
// written (RLIMIT_CORE 0, soft and hard, so nothing in the process can
// raise it again), and the process is not dumpable (PR_SET_DUMPABLE 0):
// besides core dumps that refuses ptrace attach and makes /proc/<pid>/mem,
// environ and maps unreadable to other processes of the same user.
func harden() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("disable core dumps (RLIMIT_CORE): %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("disable core dumps and tracing (PR_SET_DUMPABLE): %w", err)
	}
	return nil
}
