package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEveryCommandHasHelp: `signbox COMMAND --help` (and -h) prints the
// synopsis, summary, flags and an example on stdout and exits 0, for
// every command, touching nothing; every flag the example uses is one
// the command defines.
func TestEveryCommandHasHelp(t *testing.T) {
	flagRe := regexp.MustCompile(`(?:^| )--([a-z0-9-]+)`)
	for path, c := range registry {
		if strings.HasPrefix(path, "testonly ") {
			continue
		}
		for _, h := range []string{"--help", "-h"} {
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" },
				unsetenv: func(string) error { return nil }, now: time.Now}
			if got := run(e, append(strings.Fields(path), h)); got != 0 || errOut.Len() > 0 {
				t.Errorf("%s %s: exit %d, stderr %q", path, h, got, errOut.String())
				continue
			}
			help := out.String()
			if !strings.HasPrefix(help, "usage: signbox "+path+" "+c.usage+"\n\n"+c.summary+"\n") {
				t.Errorf("%s %s: help does not start with the synopsis and summary:\n%s", path, h, help)
			}
			ex, ok := examples[path]
			if !ok || !strings.Contains(help, "\nexample:\n  signbox "+path) {
				t.Errorf("%s: no example", path)
			}
			for _, m := range flagRe.FindAllStringSubmatch(ex, -1) {
				if !strings.Contains(help, "\n  -"+m[1]+" ") && !strings.Contains(help, "\n  -"+m[1]+"\n") {
					t.Errorf("%s: the example uses --%s, which the command does not define:\n%s", path, m[1], help)
				}
			}
		}
	}
	for path := range examples {
		if registry[path] == nil {
			t.Errorf("example for %q, which is not a command", path)
		}
	}
}

// TestExitCodes: the same exit codes on every command: 0 ok, 1 invalid,
// 2 usage, 3 could not check (a missing input file among them); 4 and 5
// are audit verify's (audit_test.go).
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	missing := dir + "/missing"
	junk := dir + "/junk.json"
	if err := os.WriteFile(junk, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, 0},
		{[]string{"version", "--bogus"}, 2},
		{[]string{"sbom", "check", missing}, 3},
		{[]string{"sbom", "check", junk}, 1},
		{[]string{"sbom", "check"}, 2},
		{[]string{"sbom", "release", missing, "--firmware", "a@1", "--image", "a=" + strings.Repeat("0", 64), "--out", dir + "/o.json"}, 3},
		{[]string{"policy", "check", missing}, 3},
		{[]string{"policy", "check", junk}, 1},
		{[]string{"image", "info", missing}, 3},
		{[]string{"image", "verify", missing, "--digest", strings.Repeat("0", 64)}, 3},
		{[]string{"bundle", "verify", missing, "--release-key", missing}, 3},
		{[]string{"evidence", "check", missing, "--release-key", missing}, 3},
		{[]string{"request", "verify", missing}, 3},
		{[]string{"feed", "verify", missing}, 3},
		{[]string{"audit", "verify", missing}, 3},
		{[]string{"audit", "show", missing}, 3},
		{[]string{"device", "status", "--state", missing}, 3},
		{[]string{"vuln", "scan", missing, "--workspace", missing}, 3},
		{[]string{"frobnicate"}, 2},
	} {
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" },
			unsetenv: func(string) error { return nil }, now: time.Now}
		if got := run(e, tc.args); got != tc.want {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, got, tc.want, errOut.String())
		}
	}
}
