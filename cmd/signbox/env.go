package main

import (
	"io"
	"os"
	"time"
)

// env is everything a command may take from the outside world. Tests swap
// its fields; nothing below cmd/ reaches for these on its own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
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
