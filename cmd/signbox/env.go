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
	now    func() time.Time

	held *lock.Lock // the dispatcher's lock for this command (locks.go), or nil
}

func newEnv() *env {
	return &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		now:    time.Now,
	}
}
