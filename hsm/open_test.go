//go:build cgo

package hsm_test

import (
	"crypto"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/hsm/softhsm"
)

func TestOpenErrors(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	mod := hsmtest.Module()
	garbage := filepath.Join(t.TempDir(), "libnot-pkcs11.so")
	if err := os.WriteFile(garbage, []byte("not an ELF file"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := hsmtest.StaticPIN(info.UserPIN)
	tests := []struct {
		name     string
		uri      string
		pin      hsm.PINFunc
		sentinel error
		want     []string
	}{
		{"missing module", "pkcs11:token=x?module-path=/nonexistent/libp11.so", good, nil, []string{"/nonexistent/libp11.so", "no such file"}},
		{"not a module", "pkcs11:token=x?module-path=" + garbage, good, nil, []string{"not a PKCS#11 library"}},
		{"directory module", "pkcs11:token=x?module-path=" + t.TempDir(), good, nil, []string{"not a regular file"}},
		{"no module", "pkcs11:token=x", good, nil, []string{"needs module-path"}},
		{"pin-value", info.URI + "&pin-value=1234", nil, nil, []string{"pin-value", "refused"}},
		{"no token selector", "pkcs11:?module-path=" + mod, good, nil, []string{"selects no token"}},
		{"token not found", "pkcs11:token=no-such-token?module-path=" + mod, good, hsm.ErrTokenNotFound, []string{`token="no-such-token"`, info.Label}},
		{"wrong serial", "pkcs11:token=" + info.Label + ";serial=0000?module-path=" + mod, good, hsm.ErrTokenNotFound, []string{"serial"}},
		{"wrong PIN", info.URI, hsmtest.StaticPIN([]byte("wrong-pin")), hsm.ErrPINIncorrect, []string{info.Label, "may count towards locking"}},
		{"empty PIN", info.URI, hsmtest.StaticPIN(nil), nil, []string{"empty PIN"}},
		{"PIN callback fails", info.URI, func() ([]byte, error) { return nil, errors.New("no tty") }, nil, []string{"reading PIN: no tty"}},
		{"no PIN at all", info.URI, nil, nil, []string{"no PIN"}},
		{"two PIN sources", info.URI + "&pin-source=/dev/null", good, nil, []string{"pin-source and a PIN callback"}},
		{"not a URI", "token=x", good, nil, []string{`must start with "pkcs11:"`}},
	}
	if libs, _ := filepath.Glob("/usr/lib/*/libm.so.6"); len(libs) > 0 {
		tests = append(tests, struct {
			name     string
			uri      string
			pin      hsm.PINFunc
			sentinel error
			want     []string
		}{"shared library without C_GetFunctionList", "pkcs11:token=x?module-path=" + libs[0], good, nil, []string{"not a PKCS#11 library"}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := hsm.Open(tc.uri, tc.pin)
			if err == nil {
				tok.Close()
				t.Fatal("Open succeeded")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("err = %v, want %v", err, tc.sentinel)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), string(info.UserPIN)) {
				t.Errorf("error text contains the PIN")
			}
		})
	}
}

func TestOpenPINSource(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	f := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(f, append(info.UserPIN, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := hsm.Open(info.URI+"&pin-source=file://"+f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Close(); err != nil {
		t.Fatal(err)
	}
}

// Login state belongs to the process, so a second Open of a logged-in token
// must still present the right PIN, and closing one Token must not log the
// other out.
func TestOpenTwice(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	a, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.GenerateKey("k", hsm.ECDSAP256); err != nil {
		t.Fatal(err)
	}
	if _, err := hsm.Open(info.URI, hsmtest.StaticPIN([]byte("wrong"))); !errors.Is(err, hsm.ErrPINIncorrect) {
		t.Fatalf("second Open with a wrong PIN: %v", err)
	}
	b, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s, err := b.Signer("k")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(nil, sum256([]byte("x")), signOptsFor(hsm.ECDSAP256)); err != nil {
		t.Fatalf("sign after the other Token closed: %v", err)
	}
	b.Close()
	if _, err := s.Sign(nil, sum256([]byte("x")), signOptsFor(hsm.ECDSAP256)); err == nil {
		t.Fatal("sign after Close succeeded")
	}
}

func signOptsFor(a hsm.Algorithm) crypto.SignerOpts {
	for _, c := range sigCases {
		if c.alg == a {
			return c.opts
		}
	}
	return nil
}

func TestListTokens(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	toks, err := hsm.ListTokens(hsmtest.Module())
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range toks {
		if ts.Label == info.Label {
			tok, err := hsm.Open(ts.URI, hsmtest.StaticPIN(info.UserPIN))
			if err != nil {
				t.Fatalf("open listed URI %s: %v", ts.URI, err)
			}
			if tok.Info().Serial != ts.Serial {
				t.Errorf("Info() = %+v, listed %+v", tok.Info(), ts)
			}
			tok.Close()
			return
		}
	}
	t.Fatalf("ListTokens = %v, missing %q", toks, info.Label)
}

func TestKeysListing(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, a := range hsm.Algorithms {
		if _, err := tok.GenerateKey("k-"+string(a), a); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := tok.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(hsm.Algorithms) {
		t.Fatalf("Keys() = %d keys, want %d", len(keys), len(hsm.Algorithms))
	}
	for _, k := range keys {
		if k.Label != "k-"+string(k.Algorithm) || (k.Algorithm == hsm.HMACSHA256) != (k.Fingerprint == "") {
			t.Errorf("key %+v", k)
		}
	}
}

func TestForeignKeysListedAsUnusable(t *testing.T) {
	tok := hsmtest.NewToken(t)
	if err := hsm.ImportForeignKeys(tok, "aes", "orphan"); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.GenerateKey("mine", hsm.ECDSAP256); err != nil {
		t.Fatal(err)
	}
	keys, err := tok.Keys()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"aes": "unsupported key type 0x1f", "orphan": "0 public key objects", "mine": ""}
	if len(keys) != len(want) {
		t.Fatalf("Keys() = %+v", keys)
	}
	for _, k := range keys {
		if w := want[k.Label]; (w == "") != (k.Unusable == "") || !strings.Contains(k.Unusable, w) {
			t.Errorf("key %q: Unusable = %q, want %q", k.Label, k.Unusable, w)
		}
	}
	if _, err := tok.Signer("orphan"); err == nil || !strings.Contains(err.Error(), `key "orphan" cannot be used: 0 public key objects`) {
		t.Errorf("Signer(orphan): %v", err)
	}
	if _, err := tok.HMAC("aes"); err == nil || !strings.Contains(err.Error(), "cannot be used") {
		t.Errorf("HMAC(aes): %v", err)
	}
}

// TestMechanismUnsupported runs itself in a child process whose SoftHSM
// lacks the EdDSA mechanisms: SOFTHSM2_CONF is read once per process.
func TestMechanismUnsupported(t *testing.T) {
	if os.Getenv("HSM_TEST_CHILD") == "nomech" {
		mechanismChild(t)
		return
	}
	hsmtest.Require(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestMechanismUnsupported$", "-test.v")
	cmd.Env = append(os.Environ(), "HSM_TEST_CHILD=nomech", "HSM_TEST_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestMechanismUnsupported") {
		t.Fatalf("child did not run:\n%s", out)
	}
}

func mechanismChild(t *testing.T) {
	d, err := softhsm.NewDir(os.Getenv("HSM_TEST_DIR"), softhsm.WithModule(hsmtest.Module()),
		softhsm.WithMechanisms("-,CKM_EC_EDWARDS_KEY_PAIR_GEN,CKM_EDDSA"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := d.InitToken("nomech", []byte("1234"), []byte("5678"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	_, err = tok.GenerateKey("ed", hsm.Ed25519)
	var me *hsm.MechanismError
	if !errors.Is(err, hsm.ErrMechanismUnsupported) || !errors.As(err, &me) || me.Mechanism != "CKM_EC_EDWARDS_KEY_PAIR_GEN" ||
		!strings.Contains(err.Error(), "CKM_EC_EDWARDS_KEY_PAIR_GEN") {
		t.Fatalf("err = %v, want ErrMechanismUnsupported naming CKM_EC_EDWARDS_KEY_PAIR_GEN", err)
	}
	if _, err := tok.GenerateKey("ec", hsm.ECDSAP256); err != nil {
		t.Fatalf("other mechanisms still work: %v", err)
	}
}
