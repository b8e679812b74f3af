package main

import (
	"io"
	"os"
	"time"

	"signbox/internal/lock"
)

// env is everything a command may take from the outside world. Tests swap
// its fields; nothing below cmd/ reaches for these on its own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// unsetenv removes a variable that held a secret (--pin-env), so
	// neither child processes nor /proc/<pid>/environ show it (envwipe.go).
	unsetenv func(string) error
	now      func() time.Time

	held *lock.Lock // the dispatcher's lock for this command (locks.go), or nil
	cmd  *command   // the command being run, for its help (help.go)
}

func newEnv() *env {
	return &env{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		getenv:   os.Getenv,
		unsetenv: dropEnv,
		now:      time.Now,
	}
}
