// Package hsmtest gives tests in any package real, fresh SoftHSM2 tokens.
//
// Each call makes a new token with a unique label and random PINs, so tests
// never see each other's keys and may run in parallel. All tokens of a test
// process live in one temporary SoftHSM directory, because SoftHSM reads
// SOFTHSM2_CONF once per process at C_Initialize (see package softhsm); a
// directory per test would need a process per test. Directories left by
// earlier test processes that have exited are removed when the next one
// starts.
//
// Without SoftHSM (no library at $SIGNBOX_SOFTHSM_MODULE, default
// softhsm.DefaultModule) tests are skipped with the reason, except under
// CI=true, where a missing SoftHSM fails the test: CI must never pass by
// skipping the HSM.
package hsmtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"signbox/hsm"
	"signbox/hsm/softhsm"
)

var (
	setupOnce sync.Once
	dir       *softhsm.Dir
	setupErr  error
	counter   atomic.Uint64
)

// Module is the SoftHSM2 library tests use.
func Module() string {
	if m := os.Getenv("SIGNBOX_SOFTHSM_MODULE"); m != "" {
		return m
	}
	return softhsm.DefaultModule
}

// Require skips (or, under CI=true, fails) t when SoftHSM is unavailable.
func Require(t testing.TB) {
	t.Helper()
	err := hsm.Available()
	if err == nil {
		_, err = os.Stat(Module())
	}
	if err != nil {
		msg := fmt.Sprintf("SoftHSM2 not available (%v); install softhsm2 or set SIGNBOX_SOFTHSM_MODULE", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a missing SoftHSM is a failure)")
		}
		t.Skip(msg)
	}
}

// NewTokenInfo initialises a fresh token and returns its URI and PINs, for
// tests that Open the token or run the CLI themselves.
func NewTokenInfo(t testing.TB) softhsm.TokenInfo {
	t.Helper()
	Require(t)
	setupOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("hsmtest: %v", setupErr)
	}
	label := fmt.Sprintf("t%d-%s", counter.Add(1), randomHex(4))
	info, err := dir.InitToken(label, []byte(randomHex(8)), []byte(randomHex(8)))
	if err != nil {
		t.Fatalf("hsmtest: %v", err)
	}
	return info
}

// NewToken returns a fresh, logged-in token, closed when t ends.
func NewToken(t testing.TB) *hsm.Token {
	t.Helper()
	info := NewTokenInfo(t)
	tok, err := hsm.Open(info.URI, StaticPIN(info.UserPIN))
	if err != nil {
		t.Fatalf("hsmtest: open %s: %v", info.URI, err)
	}
	t.Cleanup(func() {
		if err := tok.Close(); err != nil {
			t.Errorf("hsmtest: close: %v", err)
		}
	})
	return tok
}

// StaticPIN is a PINFunc returning a copy of pin, for tests.
func StaticPIN(pin []byte) hsm.PINFunc {
	return func() ([]byte, error) { return append([]byte(nil), pin...), nil }
}

const dirPrefix = "signbox-hsmtest-"

func setup() {
	removeStale()
	root, err := os.MkdirTemp("", dirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		setupErr = err
		return
	}
	dir, setupErr = softhsm.NewDir(root, softhsm.WithModule(Module()))
}

// removeStale deletes directories of test processes that no longer run.
func removeStale() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, m := range matches {
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(m), dirPrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(m)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
