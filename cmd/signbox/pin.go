package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

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
			return nil, usageErr("give --pin-fd or --pin-env, not both")
		case p.env != "":
			return pinFromEnv(e, p.env)
		case p.fd >= 0:
			return pinFromFD(e, p.fd)
		}
		return promptPIN(e, who)
	}
}

// pinFromEnv reads the PIN from variable name and removes the variable
// (dropEnv): child processes do not inherit it and /proc/<pid>/environ
// no longer shows it.
func pinFromEnv(e *env, name string) ([]byte, error) {
	v := e.getenv(name)
	if v == "" {
		return nil, fmt.Errorf("--pin-env: environment variable %s is empty or unset", name)
	}
	pin := []byte(v)
	if err := e.unsetenv(name); errors.Is(err, errEnvBlock) {
		fmt.Fprintf(e.stderr, "signbox: warning: --pin-env %s: %v\n", name, err)
	} else if err != nil {
		clear(pin)
		return nil, fmt.Errorf("--pin-env: remove %s from the environment: %w", name, err)
	}
	return pin, nil
}

// pinFromFD reads the first line of descriptor fd; fd 0 is the command's
// stdin, so `signbox ... --pin-fd 0 <pinfile` and pipes work too.
func pinFromFD(e *env, fd int) ([]byte, error) {
	var r io.Reader = e.stdin
	if fd != 0 {
		f := os.NewFile(uintptr(fd), "pin-fd-"+strconv.Itoa(fd))
		if f == nil {
			return nil, fmt.Errorf("--pin-fd: descriptor %d is not open", fd)
		}
		defer f.Close()
		r = f
	}
	pin, err := readPINLine(r)
	if err != nil {
		return nil, fmt.Errorf("--pin-fd %d: %w", fd, err)
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
func promptPIN(e *env, who string) ([]byte, error) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, errors.New("no PIN source: stdin is not a terminal; give --pin-fd N or --pin-env NAME")
	}
	fmt.Fprintf(e.stderr, "PIN for %s: ", who)
	pin, err := readNoEcho(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return nil, fmt.Errorf("read PIN from terminal: %w", err)
	}
	return pin, nil
}
