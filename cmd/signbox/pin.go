package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"signbox/hsm"
)

// maxPINLen bounds what a PIN source may return; PKCS#11 tokens allow a few
// dozen bytes, so more means the wrong file or descriptor.
const maxPINLen = 256

// pinFlags are the PIN sources every token-opening command offers. A PIN
// never comes from argv: a descriptor (--pin-fd), an environment variable
// named explicitly (--pin-env), or else a prompt on the terminal.
type pinFlags struct {
	fd  int
	env string
	// flag is the flag-name prefix for messages: "" for --pin-fd and
	// --pin-env, "operator-" for --operator-pin-fd ...
	flag string
}

// addPINFlags registers --pin-fd and --pin-env on fs.
func addPINFlags(fs *flag.FlagSet) *pinFlags {
	p := &pinFlags{fd: -1}
	fs.IntVar(&p.fd, "pin-fd", -1, "read the PIN from open file descriptor `N` (first line)")
	fs.StringVar(&p.env, "pin-env", "", "read the PIN from the environment variable `NAME`")
	return p
}

// source returns a PIN callback; who names the token in the prompt, e.g.
// `token "release"`. The sources are only read when the PIN is needed, and
// once: a descriptor is closed after its line is read and an environment
// variable is removed (pinFromEnv).
//
// The callback hands over the only copy it made: hsm.Open clears the slice
// its PINFunc returns once it has logged in, so nothing here keeps one; a
// source that fails clears what it had read.
func (p *pinFlags) source(e *env, who string) hsm.PINFunc {
	return func() ([]byte, error) {
		switch {
		case p.env != "" && p.fd >= 0:
			return nil, usageErr("give --%spin-fd or --%spin-env, not both", p.flag, p.flag)
		case p.env != "":
			return pinFromEnv(e, p.env, p.flag)
		case p.fd >= 0:
			return pinFromFD(e, p.fd, p.flag)
		}
		return promptPIN(e, who, p.flag)
	}
}

// pinFromEnv reads the PIN from variable name and removes the variable
// (dropEnv): child processes do not inherit it and /proc/<pid>/environ
// no longer shows it.
func pinFromEnv(e *env, name, flag string) ([]byte, error) {
	v := e.getenv(name)
	if v == "" {
		return nil, fmt.Errorf("--%spin-env: environment variable %s is empty or unset", flag, name)
	}
	pin := []byte(v)
	if err := e.unsetenv(name); errors.Is(err, errEnvBlock) {
		fmt.Fprintf(e.stderr, "signbox: warning: --%spin-env %s: %v\n", flag, name, err)
	} else if err != nil {
		clear(pin)
		return nil, fmt.Errorf("--%spin-env: remove %s from the environment: %w", flag, name, err)
	}
	return pin, nil
}

// pinFromFD reads the first line of descriptor fd; fd 0 is the command's
// stdin, so `signbox ... --pin-fd 0 <pinfile` and pipes work too.
//
// The descriptor is read with read(2) directly and left open: several
// PINs (the custodians' for --unlock-pin-fd) come one line each from one
// descriptor, and an *os.File would close it when collected.
func pinFromFD(e *env, fd int, flag string) ([]byte, error) {
	var r io.Reader = e.stdin
	if fd != 0 {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, fmt.Errorf("--%spin-fd %d: descriptor is not open", flag, fd)
		}
		r = fdReader(fd)
	}
	pin, err := readPINLine(r)
	if err != nil {
		return nil, fmt.Errorf("--%spin-fd %d: %w", flag, fd, err)
	}
	return pin, nil
}

// readPINLine reads byte by byte up to the first newline, so nothing after
// the PIN is consumed from a shared descriptor. The line buffer is sized
// up front so append never leaves a partial copy of the PIN behind in an
// outgrown array, and it is cleared on every error.
func readPINLine(r io.Reader) ([]byte, error) {
	line := make([]byte, 0, maxPINLen+2)
	var b [1]byte
	defer clear(b[:])
	for len(line) <= maxPINLen+1 {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			clear(line)
			return nil, err
		}
	}
	pin := trimEOL(line)
	switch {
	case len(pin) == 0:
		return nil, errors.New("no PIN (empty first line)")
	case len(pin) > maxPINLen:
		clear(line)
		return nil, fmt.Errorf("PIN longer than %d bytes; wrong source?", maxPINLen)
	}
	return pin, nil
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// promptPIN asks on the terminal with echo off. Without a terminal it fails
// rather than read a PIN from a pipe nobody meant as a PIN source.
func promptPIN(e *env, who, flag string) ([]byte, error) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, fmt.Errorf("no PIN source for %s: stdin is not a terminal; give --%spin-fd N or --%spin-env NAME", who, flag, flag)
	}
	fmt.Fprintf(e.stderr, "PIN for %s: ", who)
	pin, err := readNoEcho(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return nil, fmt.Errorf("read PIN from terminal: %w", err)
	}
	return pin, nil
}

// fdReader reads a descriptor directly, without owning it and outside the
// runtime poller: a terminal read in canonical mode blocks until a line is
// complete, and --unlock-pin-fd reads several PINs from one descriptor.
type fdReader int

func (r fdReader) Read(b []byte) (int, error) {
	for {
		n, err := unix.Read(int(r), b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}
