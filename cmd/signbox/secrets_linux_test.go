//go:build linux

package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Test-only commands, run in a child `signbox` process (which hardens
// itself first, as signbox's main does):
//
//	testonly hardening      prints dumpable=N core=SOFT/HARD
//	testonly pin-env NAME   reads --pin-env NAME as a command would, checks
//	                        it against $PIN_SHA256, then reports where the
//	                        variable is still visible, and runs
//	testonly env-report NAME  in a child process to report the same there.
func init() {
	register(&command{path: "testonly hardening", summary: "test only: report core dump settings",
		run: func(e *env, args []string) error {
			d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
			if err != nil {
				return err
			}
			var rl unix.Rlimit
			if err := unix.Getrlimit(unix.RLIMIT_CORE, &rl); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "dumpable=%d core=%d/%d\n", d, rl.Cur, rl.Max)
			return nil
		}})
	register(&command{path: "testonly pin-env", usage: "NAME", summary: "test only: read and drop a --pin-env variable",
		run: func(e *env, args []string) error {
			pin, err := pinFromEnv(e, args[0], "")
			if err != nil {
				return err
			}
			sum := sha256.Sum256(pin)
			clear(pin)
			fmt.Fprintf(e.stdout, "pin-matches=%v\n", hex.EncodeToString(sum[:]) == e.getenv("PIN_SHA256"))
			reportEnv(e.stdout, args[0])
			self, err := os.Executable()
			if err != nil {
				return err
			}
			child := exec.Command(self, "testonly", "env-report", args[0])
			child.Stdout, child.Stderr = e.stdout, e.stderr
			return child.Run()
		}})
	register(&command{path: "testonly env-report", usage: "NAME", summary: "test only: where a variable is visible",
		run: func(e *env, args []string) error {
			fmt.Fprint(e.stdout, "child ")
			reportEnv(e.stdout, args[0])
			return nil
		}})
}

// reportEnv prints where variable name can still be seen: Go's view, and
// the /proc/self/environ block ("unreadable" when a non-root process is
// no longer dumpable).
func reportEnv(w io.Writer, name string) {
	_, inGo := os.LookupEnv(name)
	proc := "clean"
	switch b, err := os.ReadFile("/proc/self/environ"); {
	case err != nil:
		proc = "unreadable"
	default:
		for _, kv := range bytes.Split(b, []byte{0}) {
			if k, v, _ := bytes.Cut(kv, []byte("=")); string(k) == name && len(bytes.Trim(v, "\x00")) > 0 {
				proc = "has " + string(v) // the test fails on it; the value is a throwaway
			}
		}
	}
	fmt.Fprintf(w, "go-env=%v proc-environ=%s\n", inGo, proc)
}

// TestHardening: signbox's first act leaves it without core dumps and not
// dumpable (checked in a child signbox process; this test process stays
// debuggable).
func TestHardening(t *testing.T) {
	out := mustSignbox(t, t.TempDir(), nil, "testonly", "hardening")
	if out != "dumpable=0 core=0/0\n" {
		t.Fatalf("signbox process: %q", out)
	}
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d == 0 {
		t.Logf("note: the test process itself is not dumpable (%d, %v)", d, err)
	}
}

// TestPINEnvDropped: after --pin-env NAME is read the variable is gone from
// Go's environment, from /proc/self/environ (the block the kernel copied at
// exec, which os.Unsetenv alone does not touch), and from a child process.
func TestPINEnvDropped(t *testing.T) {
	secret := "pin-" + rand.Text()
	sum := sha256.Sum256([]byte(secret))
	var stdout, stderr bytes.Buffer
	cmd := signboxCmd(t.TempDir(), []string{"PIN_UNDER_TEST=" + secret, "PIN_SHA256=" + hex.EncodeToString(sum[:])},
		"testonly", "pin-env", "PIN_UNDER_TEST")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("%v\n%s", err, stderr.String()) // e.g. the wipe's warning
	}
	out := stdout.String()
	if strings.Contains(out, secret) {
		t.Fatalf("the PIN is still visible:\n%s", out)
	}
	// A non-root signbox cannot read its own /proc/self/environ once it is
	// not dumpable (nor can anyone else but root); the wipe, checked by
	// stderr above, only shows to root.
	clean := regexp.MustCompile(`^pin-matches=true\ngo-env=false proc-environ=(clean|unreadable)\nchild go-env=false proc-environ=(clean|unreadable)\n$`)
	if !clean.MatchString(out) {
		t.Fatalf("report:\n%s", out)
	}
	if strings.Contains(out, "unreadable") {
		t.Log("not root: /proc/self/environ is unreadable, as intended")
	}
}

// openPTY opens a pseudo-terminal pair.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// TestPromptPINNoEcho: the terminal prompt reads the PIN with echo off,
// gives it back without the line end, and restores the terminal.
func TestPromptPINNoEcho(t *testing.T) {
	master, tty := openPTY(t)
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	var prompt bytes.Buffer
	e := &env{stdin: tty, stderr: &prompt}
	type result struct {
		pin []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		pin, err := promptPIN(e, `token "t"`, "")
		done <- result{pin, err}
	}()
	// Type only once echo is off, as a person would after the prompt.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err == nil && st.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("echo never went off")
		}
	}
	if _, err := master.WriteString("4711-secret\r"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || string(r.pin) != "4711-secret" {
		t.Fatalf("pin %q, %v", r.pin, r.err)
	}
	if !strings.Contains(prompt.String(), `PIN for token "t": `) {
		t.Fatalf("prompt %q", prompt.String())
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil || *after != *before {
		t.Fatalf("terminal not restored: %+v, was %+v", after, before)
	}
	// Nothing was echoed back to the terminal (the master side has no
	// deadline support, so poll it).
	fds := []unix.PollFd{{Fd: int32(master.Fd()), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 100); err == nil && n > 0 && fds[0].Revents&unix.POLLIN != 0 {
		b := make([]byte, 256)
		if n, _ := unix.Read(int(master.Fd()), b); n > 0 && bytes.Contains(b[:n], []byte("4711")) {
			t.Fatalf("echoed: %q", b[:n])
		}
	}
}
