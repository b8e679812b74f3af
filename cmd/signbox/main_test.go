package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"signbox": func() { os.Exit(signboxMain(os.Args[1:])) },
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
			ts.Setenv("GORACE", scriptGORACE(os.Getenv("GORACE")))
			// SOFTHSM_MODULE is the SoftHSM2 library scripts name in URIs.
			ts.Setenv("SOFTHSM_MODULE", defaultModule(&env{getenv: os.Getenv}))
			// REPO is the checkout, for scripts that run its examples.
			if wd, err := os.Getwd(); err == nil {
				ts.Setenv("REPO", filepath.Join(wd, "..", ".."))
			}
			return nil
		},
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}

// scriptGORACE is the GORACE each `exec signbox` of a script runs with.
// Under -race every process sleeps atexit_sleep_ms (default 1000) before
// it exits, which over some two hundred execs was most of this package's
// wall time; a race found in a child still fails its exit status (66).
// Options the caller set win.
func scriptGORACE(env string) string {
	if strings.Contains(env, "atexit_sleep_ms") {
		return env
	}
	return strings.TrimSpace(env + " atexit_sleep_ms=0")
}
