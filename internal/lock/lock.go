//go:build unix

// Package lock is an advisory, exclusive, fail-fast lock on a directory,
// so that two signbox commands (or a command and a library caller) never
// read-modify-write one workspace or device state directory at the same
// time.
//
// The lock is flock(2) on "<dir>/.lock". The kernel drops it when the
// holder's descriptor closes, including when the process dies, so a lock
// is never stale: the PID and command line left in the file by a dead
// holder mean nothing and are overwritten by the next one. The file itself
// is never removed (removing it would let a second process lock a new
// inode while the first still holds the old one).
//
// Locks taken through separate Acquire calls conflict even inside one
// process: each Acquire opens its own file description, and flock locks
// belong to file descriptions, not to processes.
package lock

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/sys/unix"
)

// FileName is the lock file's name inside the locked directory. Code that
// checks a directory is empty, or copies one, skips it.
const FileName = ".lock"

// ErrHeld matches (errors.Is) every [*HeldError].
var ErrHeld = errors.New("in use")

// HeldError reports a directory locked by someone else: another process,
// or another Acquire in this one.
type HeldError struct {
	Dir  string
	PID  int    // 0 when the holder had not recorded itself yet
	What string // the holder's description, e.g. "signbox vuln triage"
}

func (e *HeldError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("%s is in use by another process", e.Dir)
	}
	if e.What == "" {
		return fmt.Sprintf("%s is in use by PID %d", e.Dir, e.PID)
	}
	return fmt.Sprintf("%s is in use by PID %d (%s)", e.Dir, e.PID, e.What)
}

// Is makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Lock is a held directory lock. It is not safe for concurrent use.
type Lock struct {
	dir string
	f   *os.File
}

// Acquire locks dir, which must exist, or fails at once with a
// [*HeldError] naming the holder. what describes this holder for whoever
// is refused next, e.g. "signbox ceremony approve"; it is written into the
// lock file beside the PID.
func Acquire(dir, what string) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	// O_NONBLOCK: a FIFO planted as .lock must not hang the open; the
	// fstat below refuses anything but a regular file.
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0o600)
	if err != nil {
		return nil, &fs.PathError{Op: "lock", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	if err := checkFile(f); err != nil {
		f.Close()
		return nil, err
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, held(dir, path)
		}
		return nil, &fs.PathError{Op: "lock", Path: path, Err: err}
	}
	if err := record(f, what); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: record holder: %w", path, err)
	}
	return &Lock{dir: dir, f: f}, nil
}

// checkFile refuses a lock file that is not a plain, singly linked file:
// the holder writes into it, and a hard link would point that write at
// some other file.
func checkFile(f *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return &fs.PathError{Op: "lock", Path: f.Name(), Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("lock %s: not a regular file", f.Name())
	}
	if st.Nlink != 1 {
		return fmt.Errorf("lock %s: has %d links; remove it", f.Name(), st.Nlink)
	}
	return nil
}

func flock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// record writes "PID\nwhat\n" over the previous holder's record. A reader
// may see the old tail after the new lines; it reads two lines only.
func record(f *os.File, what string) error {
	b := []byte(strconv.Itoa(os.Getpid()) + "\n" + clean(what) + "\n")
	if _, err := f.WriteAt(b, 0); err != nil {
		return err
	}
	return f.Truncate(int64(len(b)))
}

// Dir is the locked directory, as given to Acquire.
func (l *Lock) Dir() string { return l.dir }

// Held reports whether l is still held (not released).
func (l *Lock) Held() bool { return l != nil && l.f != nil }

// Release drops the lock. Releasing twice, or a nil *Lock, is a no-op.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	// Closing the only descriptor of this file description drops the
	// flock; the record stays and means nothing once unlocked.
	return f.Close()
}

// maxRecord bounds what is read of a holder's record.
const maxRecord = 512

// held reads the holder's record. The holder writes it just after it got
// the lock, so an empty record is read again for a moment before giving
// up on naming the PID.
func held(dir, path string) error {
	e := &HeldError{Dir: dir}
	for range 20 {
		if e.PID, e.What = readRecord(path); e.PID != 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	return e
}

func readRecord(path string) (int, string) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return 0, ""
	}
	defer unix.Close(fd)
	buf := make([]byte, maxRecord)
	n, err := unix.Pread(fd, buf, 0)
	if err != nil || n <= 0 {
		return 0, ""
	}
	lines := bytes.SplitN(buf[:n], []byte("\n"), 3)
	if len(lines) < 3 { // both lines must be complete
		return 0, ""
	}
	pid, err := strconv.Atoi(string(lines[0]))
	if err != nil || pid <= 0 {
		return 0, ""
	}
	return pid, clean(string(lines[1]))
}

// clean keeps a holder description printable and short: it is read from
// a file anyone with write access to the directory controls, and ends up
// on an operator's terminal.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}
