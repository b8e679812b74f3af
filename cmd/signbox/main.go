// Command signbox is the offline, HSM-backed firmware signing ceremony
// appliance. Run `signbox help` for the command list.
//
// This is the only place in signbox that reads the wall clock, the process
// environment and the terminal; every package below takes them as inputs.
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(signboxMain(os.Args[1:]))
}

// signboxMain is main without the exit; the test binary runs it as
// `signbox` in scripts. The process is hardened (harden_linux.go) before
// anything else: a failure there stops signbox rather than let it read a
// PIN into a process that could dump core.
func signboxMain(args []string) int {
	if err := harden(); err != nil {
		fmt.Fprintf(os.Stderr, "signbox: %v\n", err)
		return 1
	}
	return run(newEnv(), args)
}
