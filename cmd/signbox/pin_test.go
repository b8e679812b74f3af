package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestPINSources(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("fd-pin\nsecond line\n")
	w.Close()
	defer r.Close()
	fd, err := syscall.Dup(int(r.Fd())) // pinFromFD leaves it open; closed below
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
		err   string
	}{
		{name: "env", args: []string{"--pin-env", "MY_PIN"}, want: "env-pin"},
		{name: "env unset", args: []string{"--pin-env", "NOPE"}, err: "NOPE is empty or unset"},
		{name: "fd", args: []string{"--pin-fd", strconv.Itoa(fd)}, want: "fd-pin"},
		{name: "fd 0 is stdin", args: []string{"--pin-fd", "0"}, stdin: "stdin-pin\r\n", want: "stdin-pin"},
		{name: "fd empty", args: []string{"--pin-fd", "0"}, stdin: "\n", err: "empty first line"},
		{name: "fd too long", args: []string{"--pin-fd", "0"}, stdin: strings.Repeat("x", 300), err: "longer than 256"},
		{name: "fd closed", args: []string{"--pin-fd", "999"}, err: "--pin-fd 999"},
		{name: "both", args: []string{"--pin-fd", "0", "--pin-env", "MY_PIN"}, err: "not both"},
		{name: "no terminal", err: "stdin is not a terminal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"MY_PIN": "env-pin"}
			e := &env{stdin: strings.NewReader(tc.stdin), stderr: io.Discard,
				getenv:   func(k string) string { return vars[k] },
				unsetenv: func(k string) error { delete(vars, k); return nil }}
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			p := addPINFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			pin, err := p.source(e, `token "t"`)()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !bytes.Equal(pin, []byte(tc.want)) {
				t.Fatalf("pin = %q, %v; want %q", pin, err, tc.want)
			}
			if _, left := vars["MY_PIN"]; left == (tc.name == "env") {
				t.Fatalf("MY_PIN left in the environment: %v", left)
			}
		})
	}
}

// The custodians' PINs for --unlock come one line each from one
// descriptor: each read takes exactly one line and leaves it open.
func TestUnlockPINsFromOneDescriptor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.WriteString("alice-pin\nbob-pin\n")
	w.Close()
	u := &unlockFlags{name: "unlock", fd: int(r.Fd())}
	e := &env{stderr: io.Discard}
	for i, want := range []string{"alice-pin", "bob-pin"} {
		pin, err := u.pin(e, i, want[:len(want)-4])()
		if err != nil || string(pin) != want {
			t.Fatalf("PIN %d = %q, %v; want %q", i, pin, err, want)
		}
	}
	if _, err := u.pin(e, 2, "carol")(); err == nil || !strings.Contains(err.Error(), "--unlock-pin-fd") {
		t.Fatalf("third PIN: %v, want an --unlock-pin-fd error", err)
	}
}
