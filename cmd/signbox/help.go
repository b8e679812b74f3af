package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Help for one command goes to stdout and exits 0: `signbox COMMAND -h`,
// `--help` or `-help` prints the synopsis, the summary, every flag with
// its default and an example. A usage mistake is different: one line on
// stderr, the usage line, exit 2.

// flagOutput is a flag set's output: the flag package writes its parse
// errors to the embedded stderr; help is written to stdout.
type flagOutput struct {
	io.Writer
	stdout io.Writer
	cmd    *command // the command run dispatched, nil outside run
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// commandHelp runs c's flag parsing alone with -h, without the command's
// lock or any of its work, so the flags it defines are printed. A
// command that defines no flags gets the synopsis, summary and example.
func commandHelp(e *env, c *command) int {
	err := c.run(e, []string{"-h"})
	if !errors.Is(err, flag.ErrHelp) {
		writeHelp(e.stdout, c, nil)
	}
	return 0
}

// printFlagHelp writes the help of the command fs belongs to on stdout.
func printFlagHelp(fs *flag.FlagSet) {
	out, ok := fs.Output().(*flagOutput)
	if !ok {
		return
	}
	c := out.cmd
	if c == nil {
		c = registry[fs.Name()]
	}
	if c == nil {
		return
	}
	writeHelp(out.stdout, c, fs)
}

func writeHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: signbox %s %s\n\n%s\n", c.path, c.usage, c.summary)
	if fs != nil {
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			b.WriteString("\nflags:\n")
			old := fs.Output()
			fs.SetOutput(&b)
			fs.PrintDefaults()
			fs.SetOutput(old)
		}
	}
	if ex := examples[c.path]; ex != "" {
		fmt.Fprintf(&b, "\nexample:\n  %s\n", ex)
	}
	io.WriteString(w, b.String())
}
