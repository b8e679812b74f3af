package main

import (
	"errors"
	"os"
)

// errEnvBlock marks a variable that is gone from the environment signbox
// passes on, but could not be wiped from /proc/<pid>/environ.
var errEnvBlock = errors.New("environment block not wiped")

// dropEnv removes a variable that held a secret: from Go's environment
// (os.Unsetenv; with cgo that also removes it from C's environ), so no
// child process inherits it, and, where the OS allows
// (envwipe_linux.go), from the block /proc/<pid>/environ shows, which is
// the one the kernel copied at exec and which no unsetenv touches.
//
// The Go runtime keeps its own heap copy of the initial environment,
// which cannot be cleared safely; it is reachable only from inside this
// process (no core dumps, not dumpable: harden_linux.go).
func dropEnv(name string) error {
	if err := os.Unsetenv(name); err != nil {
		return err
	}
	return wipeEnvBlock(name)
}
