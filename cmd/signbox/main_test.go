package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"signbox": func() { os.Exit(run(newEnv(), os.Args[1:])) },
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script. Each
// script gets a fresh work directory; SoftHSM-backed scripts create their
// own token directory there.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(ts *testscript.Env) error {
			for _, k := range []string{"CI", "SIGNBOX_SOFTHSM_MODULE", "SIGNBOX_SHARED"} {
				ts.Setenv(k, os.Getenv(k))
			}
			return nil
		},
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}
