package main

import (
	"fmt"
	"runtime/debug"
)

func init() {
	register(&command{
		path:    "version",
		usage:   "[--format text|json]",
		summary: "print the build's module version and Go version",
		run:     runVersion,
	})
}

func runVersion(e *env, args []string) error {
	fs := newFlags(e, "version")
	format := addFormat(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	v := versionJSON{Signbox: "(devel)", Go: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.Signbox, v.Go = bi.Main.Version, bi.GoVersion
	}
	if asJSON {
		return writeJSON(e.stdout, v)
	}
	_, err = fmt.Fprintf(e.stdout, "signbox %s %s\n", v.Signbox, v.Go)
	return err
}
