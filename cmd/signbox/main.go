// Command signbox is the offline, HSM-backed firmware signing ceremony
// appliance. Run `signbox help` for the command list.
//
// This is the only place in signbox that reads the wall clock, the process
// environment and the terminal; every package below takes them as inputs.
package main

import (
	"os"
)

func main() {
	os.Exit(run(newEnv(), os.Args[1:]))
}
