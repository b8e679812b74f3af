package main

import (
	"fmt"
	"runtime/debug"
)

func init() {
	register(&command{
		path:    "version",
		summary: "print the build's module version and Go version",
		run: func(e *env, args []string) error {
			v, gov := "(devel)", "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				v, gov = bi.Main.Version, bi.GoVersion
			}
			fmt.Fprintf(e.stdout, "signbox %s %s\n", v, gov)
			return nil
		},
	})
}
