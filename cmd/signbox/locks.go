package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"signbox/internal/lock"
)

// lockSpec names the directory a mutating command locks for its whole
// run (internal/lock, "<dir>/.lock"): the value of one of its flags. Two
// commands on one workspace or device then never interleave; the second
// fails at once, naming the first one's PID. Read-only commands take no
// lock (nil).
type lockSpec struct {
	noun string // in the refusal: "workspace" or "device"
	flag string // the flag naming the directory, without dashes
	def  string // the flag's default; "" when the command requires it
}

var (
	// lockWorkspace: the command writes into the --workspace directory.
	lockWorkspace = &lockSpec{noun: "workspace", flag: "workspace"}
	// lockDevice: the command writes the emulated device in --state.
	lockDevice = &lockSpec{noun: "device", flag: "state"}
)

// runLocked takes the command's lock, runs it with the lock in e.held and
// releases the lock when it returns.
func (c *command) runLocked(e *env, args []string) error {
	l, err := c.lock(args)
	if err != nil {
		return err
	}
	ce := *e
	ce.held = l
	err = c.run(&ce, args)
	if rerr := l.Release(); err == nil && rerr != nil {
		err = fmt.Errorf("release %s lock: %w", c.locks.noun, rerr)
	}
	return err
}

// lock finds the directory in args without parsing the command's flags
// (the command's own parser stays the authority on them) and locks it.
// No lock is taken when the flag is missing (the command reports that) or
// the directory does not exist yet (the command reports that, or creates
// it: a first import, the demo's set-up, provisioning, which locks the new
// directory itself).
func (c *command) lock(args []string) (*lock.Lock, error) {
	s := c.locks
	if s == nil {
		return nil, nil
	}
	dir, n := scanFlag(args, s.flag)
	switch {
	case n > 1:
		return nil, usageErr("give --%s once", s.flag)
	case n == 0:
		dir = s.def
	}
	if dir == "" {
		return nil, nil
	}
	l, err := lock.Acquire(dir, "signbox "+c.path)
	switch {
	case err == nil:
		return l, nil
	case errors.Is(err, lock.ErrHeld):
		return nil, withHint(fmt.Errorf("%s %w", s.noun, err), "nothing was changed; run this again once that command has finished")
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	}
	return nil, fmt.Errorf("lock %s %s: %w", s.noun, dir, err)
}

// scanFlag finds the value of flag name in args as package flag spells it
// (-name V, --name V, -name=V, --name=V) without knowing the command's
// other flags. n counts every spelling of the flag anywhere in args, so a
// command line naming it twice (where package flag would take the last,
// and one of them may be another flag's value) is refused, not guessed at.
func scanFlag(args []string, name string) (val string, n int) {
	for i, a := range args {
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		k := strings.TrimPrefix(a[1:], "-")
		k, v, eq := strings.Cut(k, "=")
		if k != name {
			continue
		}
		n++
		switch {
		case eq:
			val = v
		case i+1 < len(args):
			val = args[i+1]
		default:
			val = ""
		}
	}
	return val, n
}

// heldFor is the command's lock when it is the one on dir (the same
// directory, however spelled), else nil.
func (e *env) heldFor(dir string) *lock.Lock {
	if !e.held.Held() {
		return nil
	}
	a, err := os.Stat(e.held.Dir())
	if err != nil {
		return nil
	}
	b, err := os.Stat(dir)
	if err != nil || !os.SameFile(a, b) {
		return nil
	}
	return e.held
}
