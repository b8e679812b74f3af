// Package hsmtest gives tests in any package real, fresh PKCS#11 tokens
// from the implementation SIGNBOX_TOKEN_IMPL selects: "softhsm" (SoftHSM2,
// the default) or "tpm2" (tpm2-pkcs11 over a software TPM that
// scripts/with-tpm2.sh starts; each test process keeps its token store in
// a temporary directory of its own, TPM2_PKCS11_STORE). A test asks for "a
// token" and gets one from the selected implementation.
//
// What follows describes SoftHSM; tpm2 works the same way with the store
// directory in place of SOFTHSM2_CONF.
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
	"errors"
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
	root      string // this process's directory: softhsm/ and tpm2/
	setupErr  error
	softOnce  sync.Once
	dir       *softhsm.Dir
	softErr   error
	counter   atomic.Uint64
)

// Token implementations SIGNBOX_TOKEN_IMPL selects.
const (
	SoftHSM = "softhsm"
	TPM2    = "tpm2"
)

// Impl is the selected token implementation.
func Impl() string {
	if v := os.Getenv("SIGNBOX_TOKEN_IMPL"); v != "" {
		return v
	}
	return SoftHSM
}

// tpm2Modules are the Debian paths of tpm2-pkcs11 (libtpm2-pkcs11-1).
var tpm2Modules = []string{
	"/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so",
	"/usr/lib/aarch64-linux-gnu/pkcs11/libtpm2_pkcs11.so",
}

// Module is the PKCS#11 library of the selected implementation:
// $SIGNBOX_SOFTHSM_MODULE or $SIGNBOX_TPM2_MODULE, else the Debian path.
func Module() string { return moduleOf(Impl()) }

func moduleOf(impl string) string {
	if impl == TPM2 {
		if m := os.Getenv("SIGNBOX_TPM2_MODULE"); m != "" {
			return m
		}
		for _, m := range tpm2Modules {
			if _, err := os.Stat(m); err == nil {
				return m
			}
		}
		return tpm2Modules[0]
	}
	if m := os.Getenv("SIGNBOX_SOFTHSM_MODULE"); m != "" {
		return m
	}
	return softhsm.DefaultModule
}

// Require skips (or, under CI=true, fails) t when the selected token
// implementation is unavailable. A missing implementation is never
// reported as an unsupported mechanism.
func Require(t testing.TB) { t.Helper(); require(t, Impl()) }

func require(t testing.TB, impl string) {
	t.Helper()
	if err := available(impl); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err.Error() + " (CI=true: a missing token implementation is a failure)")
		}
		t.Skip(err.Error())
	}
}

func available(impl string) error {
	err := hsm.Available()
	if err == nil {
		_, err = os.Stat(moduleOf(impl))
	}
	switch impl {
	case SoftHSM:
		if err != nil {
			return fmt.Errorf("SoftHSM2 not available (%v); install softhsm2 or set SIGNBOX_SOFTHSM_MODULE", err)
		}
	case TPM2:
		if err != nil {
			return fmt.Errorf("tpm2-pkcs11 not available (%v); run scripts/ensure-deps.sh", err)
		}
		if os.Getenv("TPM2_PKCS11_TCTI") == "" {
			return fmt.Errorf("SIGNBOX_TOKEN_IMPL=tpm2 without a TPM: run the tests under scripts/with-tpm2.sh")
		}
	default:
		return fmt.Errorf("SIGNBOX_TOKEN_IMPL=%q: want %q or %q", impl, SoftHSM, TPM2)
	}
	return nil
}

// Unsupported reports whether err says the token lacks a mechanism (its
// mechanism list, probed by package hsm, does not offer it), and if so
// skips t with "unsupported by this token: <mechanism>". Any other error,
// including a missing implementation, is left to the caller to fail on.
func Unsupported(t testing.TB, err error) bool {
	t.Helper()
	var me *hsm.MechanismError
	if errors.As(err, &me) {
		t.Skipf("unsupported by this token: %s", me.Mechanism)
		return true
	}
	return false
}

// Setup readies the selected implementation for a test that initialises
// tokens itself (for example through appliance.Init): it requires the
// implementation and points its store at this process's directory.
func Setup(t testing.TB) {
	t.Helper()
	Require(t)
	setupOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("hsmtest: %v", setupErr)
	}
}

// NewTokenInfo initialises a fresh token of the selected implementation
// and returns its URI and PINs, for tests that Open the token or run the
// CLI themselves.
func NewTokenInfo(t testing.TB) softhsm.TokenInfo {
	t.Helper()
	return NewTokenInfoFrom(t, Impl())
}

// NewTokenInfoFrom is NewTokenInfo from implementation impl (SoftHSM or
// TPM2), for tests that mix them the way a deployment does (an appliance
// token of one kind, the operators' tokens of another).
func NewTokenInfoFrom(t testing.TB, impl string) softhsm.TokenInfo {
	t.Helper()
	require(t, impl)
	setupOnce.Do(setup)
	if setupErr != nil {
		t.Fatalf("hsmtest: %v", setupErr)
	}
	label := fmt.Sprintf("t%d-%s", counter.Add(1), randomHex(4))
	var info softhsm.TokenInfo
	var err error
	if impl == TPM2 {
		info, err = initTPM2(label, []byte(randomHex(8)), []byte(randomHex(8)))
	} else {
		softOnce.Do(func() {
			dir, softErr = softhsm.NewDir(filepath.Join(root, "softhsm"), softhsm.WithModule(moduleOf(SoftHSM)))
		})
		if softErr != nil {
			t.Fatalf("hsmtest: %v", softErr)
		}
		info, err = dir.InitToken(label, []byte(randomHex(8)), []byte(randomHex(8)))
	}
	if err != nil {
		t.Fatalf("hsmtest: %v", err)
	}
	return info
}

// NewToken returns a fresh, logged-in token of the selected
// implementation, closed when t ends.
func NewToken(t testing.TB) *hsm.Token {
	t.Helper()
	return NewTokenFrom(t, Impl())
}

// NewTokenFrom is NewToken from implementation impl.
func NewTokenFrom(t testing.TB, impl string) *hsm.Token {
	t.Helper()
	info := NewTokenInfoFrom(t, impl)
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
	root, setupErr = os.MkdirTemp("", dirPrefix+strconv.Itoa(os.Getpid())+"-")
	if setupErr != nil {
		return
	}
	if os.Getenv("TPM2_PKCS11_TCTI") != "" {
		// tpm2-pkcs11 reads its store directory at C_Initialize.
		store := filepath.Join(root, "tpm2")
		if setupErr = os.Mkdir(store, 0o700); setupErr == nil {
			setupErr = os.Setenv("TPM2_PKCS11_STORE", store)
		}
	}
}

// initTPM2 initialises the tpm2-pkcs11 store's free slot.
func initTPM2(label string, userPIN, soPIN []byte) (softhsm.TokenInfo, error) {
	if _, err := hsm.InitFreeToken(moduleOf(TPM2), label, soPIN, userPIN); err != nil {
		return softhsm.TokenInfo{}, fmt.Errorf("tpm2: %w", err)
	}
	return softhsm.TokenInfo{
		URI:     hsm.URI{Token: label, ModulePath: moduleOf(TPM2)}.String(),
		Label:   label,
		UserPIN: userPIN,
		SOPIN:   soPIN,
	}, nil
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
