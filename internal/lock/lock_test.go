//go:build unix

package lock

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAcquireRelease(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "test holder")
	require.NoError(t, err)
	require.True(t, l.Held())
	require.Equal(t, dir, l.Dir())

	fi, err := os.Lstat(filepath.Join(dir, FileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(os.Getpid())+"\ntest holder\n", string(b))

	require.NoError(t, l.Release())
	require.False(t, l.Held())
	require.NoError(t, l.Release(), "a second Release is a no-op")
	require.NoError(t, (*Lock)(nil).Release())

	l2, err := Acquire(dir, "again")
	require.NoError(t, err, "a released lock can be taken again")
	require.NoError(t, l2.Release())
}

// TestSameProcessConflicts: two Acquires in one process use two open file
// descriptions, and flock makes them conflict just as two processes would.
func TestSameProcessConflicts(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "signbox ceremony approve")
	require.NoError(t, err)
	defer l.Release()

	_, err = Acquire(dir, "second")
	require.ErrorIs(t, err, ErrHeld)
	var he *HeldError
	require.ErrorAs(t, err, &he)
	require.Equal(t, os.Getpid(), he.PID)
	require.Equal(t, "signbox ceremony approve", he.What)
	require.Equal(t, dir+" is in use by PID "+strconv.Itoa(os.Getpid())+" (signbox ceremony approve)", err.Error())

	// The refused attempt changed nothing: the record still names the holder.
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	require.NoError(t, err)
	require.Contains(t, string(b), "signbox ceremony approve")
}

func TestMissingDirectory(t *testing.T) {
	_, err := Acquire(filepath.Join(t.TempDir(), "nope"), "x")
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotErrorIs(t, err, ErrHeld)
}

// TestHostileLockFile: a planted symlink, hard link or FIFO is refused
// without following it, writing through it or hanging on it.
func TestHostileLockFile(t *testing.T) {
	t.Run("symlink", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "policy.yaml")
		require.NoError(t, os.WriteFile(target, []byte("keep me"), 0o600))
		require.NoError(t, os.Symlink(target, filepath.Join(dir, FileName)))
		_, err := Acquire(dir, "x")
		require.Error(t, err)
		requireUnchanged(t, target)
	})
	t.Run("hard link", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "policy.yaml")
		require.NoError(t, os.WriteFile(target, []byte("keep me"), 0o600))
		require.NoError(t, os.Link(target, filepath.Join(dir, FileName)))
		_, err := Acquire(dir, "x")
		require.ErrorContains(t, err, "links")
		requireUnchanged(t, target)
	})
	t.Run("fifo", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, syscall.Mkfifo(filepath.Join(dir, FileName), 0o600))
		_, err := Acquire(dir, "x")
		require.ErrorContains(t, err, "not a regular file")
	})
}

func requireUnchanged(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "keep me", string(b))
}

// TestHolderRecordIsSanitised: the record is read from a file anyone who
// can write the directory controls; control characters never reach the
// error message (and so the operator's terminal).
func TestHolderRecordIsSanitised(t *testing.T) {
	require.Equal(t, "a?[31mb?", clean("a\x1b[31mb\n"))
	require.Equal(t, "??", clean("\xff\xfe"))
	require.Len(t, []rune(clean(strings.Repeat("x", 500))), 121)
}

const childEnv = "SIGNBOX_LOCK_TEST_CHILD"

// TestHolderChild is the child process of TestOtherProcess: it takes the
// lock on $SIGNBOX_LOCK_TEST_CHILD, says so on stdout and holds the lock
// until its stdin closes (or it is killed).
func TestHolderChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("child process of TestOtherProcess only")
	}
	l, err := Acquire(dir, "signbox lock test child")
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

func startHolder(t *testing.T, dir string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolderChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir, "GORACE=atexit_sleep_ms=0")
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q, %v", line, err)
	}
	return cmd, func() { in.Close() }
}

// TestOtherProcess: a lock held by another process is refused at once,
// naming that process's PID and command; once the holder lets go, or dies,
// the lock is free again and the dead holder's record is overwritten.
func TestOtherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd, done := startHolder(t, dir)
	_, err := Acquire(dir, "parent")
	var he *HeldError
	require.ErrorAs(t, err, &he)
	require.Equal(t, cmd.Process.Pid, he.PID)
	require.Equal(t, "signbox lock test child", he.What)
	require.Contains(t, err.Error(), "is in use by PID "+strconv.Itoa(cmd.Process.Pid)+" (signbox lock test child)")
	done()
	require.NoError(t, cmd.Wait())

	l, err := Acquire(dir, "parent")
	require.NoError(t, err)
	require.NoError(t, l.Release())

	// A holder killed without releasing: the kernel dropped its lock.
	cmd, _ = startHolder(t, dir)
	require.NoError(t, cmd.Process.Kill())
	werr := cmd.Wait()
	var ee *exec.ExitError
	require.True(t, errors.As(werr, &ee), "child: %v", werr)
	l, err = Acquire(dir, "after a crash")
	require.NoError(t, err, "a dead holder's lock is no lock")
	defer l.Release()
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(os.Getpid())+"\nafter a crash\n", string(b))
}
