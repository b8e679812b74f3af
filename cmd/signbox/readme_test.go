package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMECommands keeps the README's demo sections and the script that
// runs them (testdata/script/demo_headless.txtar, on a fresh demo
// workspace) in step: every `bin/signbox` command and every variable the
// README sets in its "anyone can check" and "Drive the CLI against the
// demo workspace" blocks appears in the script as written, up to the
// mechanical differences of a testscript (exec, no shell quoting, $WORK
// for the checkout, the SoftHSM module variable, a fixed date).
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("testdata/script/demo_headless.txtar")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(script), "\n") {
		have[strings.Join(strings.Fields(l), " ")] = true
	}
	blocks := readmeBlocks(string(readme), "Afterwards anyone can check the result", "### Drive the CLI against the demo workspace")
	if len(blocks) != 2 {
		t.Fatalf("found %d of the README's 2 demo command blocks", len(blocks))
	}
	n := 0
	for _, b := range blocks {
		for _, want := range scriptLines(b) {
			n++
			if !have[want] {
				t.Errorf("README line not run by demo_headless.txtar as written:\n  %s", want)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d README lines found", n)
	}
}

// readmeBlocks returns the first ```sh block after each marker.
func readmeBlocks(readme string, markers ...string) []string {
	var out []string
	for _, m := range markers {
		i := strings.Index(readme, m)
		if i < 0 {
			continue
		}
		rest := readme[i:]
		start := strings.Index(rest, "```sh\n")
		if start < 0 {
			continue
		}
		rest = rest[start+len("```sh\n"):]
		end := strings.Index(rest, "```")
		if end < 0 {
			continue
		}
		out = append(out, rest[:end])
	}
	return out
}

// scriptLines turns a README shell block into the testscript lines that
// must run it: `bin/signbox ARGS` → `exec signbox ARGS`, `[export] V=x`
// → `env V=x` (one per variable); other shell lines (mkdir) are not
// compared.
func scriptLines(block string) []string {
	block = strings.ReplaceAll(block, "\\\n", " ")
	r := strings.NewReplacer(`"`, "", "$(date +%F)", "2026-11-21", "/tmp/out", "out",
		"$PWD", "$WORK", "/usr/lib/softhsm/libsofthsm2.so", "$SOFTHSM_MODULE")
	var out []string
	for _, l := range strings.Split(block, "\n") {
		if i := strings.Index(l, " #"); i >= 0 {
			l = l[:i]
		}
		f := strings.Fields(r.Replace(l))
		switch {
		case len(f) == 0:
		case f[0] == "bin/signbox":
			out = append(out, "exec signbox "+strings.Join(f[1:], " "))
		case f[0] == "export" || strings.Contains(f[0], "="):
			for _, a := range f {
				if a != "export" {
					out = append(out, "env "+a)
				}
			}
		}
	}
	return out
}
