package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
)

// command is one `signbox <group> <name>` subcommand. Each feature file in
// this directory registers its own commands from init, so adding a command
// never touches a shared table.
type command struct {
	path    string // space-separated words, e.g. "hsm tokens"
	usage   string // arguments after the path, e.g. "--token URI"
	summary string
	run     func(e *env, args []string) error
	locks   *lockSpec // the directory a mutating command locks (locks.go); nil: none
}

var registry = map[string]*command{}

func register(c *command) {
	if _, dup := registry[c.path]; dup {
		panic("signbox: command registered twice: " + c.path)
	}
	registry[c.path] = c
}

// errUsage marks errors in how a command was called; they exit 2.
var errUsage = errors.New("usage")

// exitCoder lets a command choose its exit code, e.g. "invalid" (1) versus
// "could not check" (3) for verifiers.
type exitCoder interface{ ExitCode() int }

// hinted carries a next step for the person at the terminal.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

// withHint attaches a "hint:" line to err.
func withHint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: fmt.Sprintf(format, args...)}
}

func run(e *env, args []string) int {
	if len(args) == 0 {
		if open, ok := bareEntry(e); ok {
			args = open
		}
	}
	c, rest := lookup(args)
	if c == nil {
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			printHelp(e.stdout, strings.Join(args[min(1, len(args)):], " "))
			if len(args) == 0 {
				bareHelp(e)
			}
			return 0
		}
		fmt.Fprintf(e.stderr, "signbox: unknown command %q\n", strings.Join(args, " "))
		printHelp(e.stderr, "")
		return 2
	}
	e.cmd = c
	if wantsHelp(rest) {
		return commandHelp(e, c)
	}
	err := c.runLocked(e, rest)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(e.stderr, "signbox: %s: %v\n", c.path, err)
	var h *hinted
	if errors.As(err, &h) {
		fmt.Fprintf(e.stderr, "hint: %s\n", h.hint)
	}
	if errors.Is(err, errUsage) {
		fmt.Fprintf(e.stderr, "usage: signbox %s %s\n", c.path, c.usage)
	}
	return exitCodeOf(err)
}

// exitCodeOf is the exit code every command gives err: 2 usage, the
// command's own choice (exitCoder), 3 when an input could not be read
// (nothing is known about it), 1 otherwise (invalid or refused).
func exitCodeOf(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return 3
	}
	return 1
}

// lookup finds the longest registered command path that prefixes args.
func lookup(args []string) (*command, []string) {
	for n := min(len(args), 3); n > 0; n-- {
		if c, ok := registry[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, nil
}

func printHelp(w io.Writer, prefix string) {
	paths := make([]string, 0, len(registry))
	for p := range registry {
		if strings.HasPrefix(p, prefix) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	fmt.Fprintln(w, "signbox — offline HSM-backed firmware signing ceremonies")
	fmt.Fprintln(w, "\ncommands:")
	for _, p := range paths {
		c := registry[p]
		fmt.Fprintf(w, "  %-22s %s\n", p, c.summary)
	}
}

// newFlags returns a flag set whose errors come back as usage errors
// instead of exiting the process: a bad flag prints one line on stderr
// (run adds the usage line); -h and --help print the command's help on
// stdout (help.go).
func newFlags(e *env, c string) *flag.FlagSet {
	fs := flag.NewFlagSet(c, flag.ContinueOnError)
	fs.SetOutput(&flagOutput{Writer: e.stderr, stdout: e.stdout, cmd: e.cmd})
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args and wraps failures so they exit 2 with usage.
// Flags may come before or after positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printFlagHelp(fs)
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}
