//go:build cgo

package hsm_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// sigCase is one way of signing a message and checking it with the stdlib.
type sigCase struct {
	alg    hsm.Algorithm
	digest func(msg []byte) []byte
	opts   crypto.SignerOpts
	verify func(pub crypto.PublicKey, digest, sig []byte) error
}

var secureBootPSS = &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}

var sigCases = []sigCase{
	{hsm.RSA3072, sum256, secureBootPSS, func(pub crypto.PublicKey, d, sig []byte) error {
		return rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA256, d, sig, secureBootPSS)
	}},
	{hsm.ECDSAP256, sum256, crypto.SHA256, verifyECDSA},
	{hsm.ECDSAP384, sum384, crypto.SHA384, verifyECDSA},
	{hsm.Ed25519, func(m []byte) []byte { return m }, crypto.Hash(0), func(pub crypto.PublicKey, msg, sig []byte) error {
		if !ed25519.Verify(pub.(ed25519.PublicKey), msg, sig) {
			return errors.New("ed25519: bad signature")
		}
		return nil
	}},
}

func sum256(m []byte) []byte { d := sha256.Sum256(m); return d[:] }
func sum384(m []byte) []byte { d := sha512.Sum384(m); return d[:] }

func verifyECDSA(pub crypto.PublicKey, d, sig []byte) error {
	if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), d, sig) {
		return errors.New("ecdsa: bad signature")
	}
	return nil
}

func TestGenerateSignVerify(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, tc := range sigCases {
		t.Run(string(tc.alg), func(t *testing.T) {
			label := "fw-" + string(tc.alg)
			k, err := tok.GenerateKey(label, tc.alg)
			if err != nil {
				t.Fatal(err)
			}
			checkKeyInfo(t, tok, k, label, tc.alg)
			s, err := tok.Signer(label)
			if err != nil {
				t.Fatal(err)
			}
			signAndVerify(t, s, tc, []byte("firmware image "+label))
			if fp, _ := hsm.Fingerprint(s.Public()); fp != k.Fingerprint {
				t.Errorf("signer public key %s, generated %s", fp, k.Fingerprint)
			}
			byID, err := tok.SignerByID(k.ID)
			if err != nil {
				t.Fatal(err)
			}
			signAndVerify(t, byID, tc, []byte("by id"))
		})
	}
}

func checkKeyInfo(t *testing.T, tok *hsm.Token, k hsm.KeyInfo, label string, alg hsm.Algorithm) {
	t.Helper()
	if k.Label != label || k.Algorithm != alg || len(k.ID) != 16 || k.Extractable {
		t.Errorf("KeyInfo = %+v", k)
	}
	if !strings.HasPrefix(k.Fingerprint, "sha256:") || len(k.Fingerprint) != 7+64 {
		t.Errorf("fingerprint %q", k.Fingerprint)
	}
	byID, err := tok.KeyByID(k.ID)
	if err != nil || byID.Label != label || byID.Fingerprint != k.Fingerprint {
		t.Errorf("KeyByID = %+v, %v", byID, err)
	}
	sensitive, extractable, err := hsm.KeyFlags(tok, label)
	if err != nil || !sensitive || extractable {
		t.Errorf("CKA_SENSITIVE=%v CKA_EXTRACTABLE=%v err=%v, want sensitive and not extractable", sensitive, extractable, err)
	}
}

func signAndVerify(t *testing.T, s crypto.Signer, tc sigCase, msg []byte) {
	t.Helper()
	d := tc.digest(msg)
	sig, err := s.Sign(nil, d, tc.opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := tc.verify(s.Public(), d, sig); err != nil {
		t.Fatal(err)
	}
}

func TestWrappableKeyIsExtractableButSensitive(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, alg := range []hsm.Algorithm{hsm.ECDSAP256, hsm.HMACSHA256} {
		k, err := tok.GenerateKey("backup-"+string(alg), alg, hsm.Wrappable())
		if err != nil {
			t.Fatal(err)
		}
		sensitive, extractable, err := hsm.KeyFlags(tok, k.Label)
		if err != nil || !sensitive || !extractable || !k.Extractable {
			t.Errorf("%s: sensitive=%v extractable=%v KeyInfo.Extractable=%v err=%v", alg, sensitive, extractable, k.Extractable, err)
		}
	}
}

func TestDuplicateLabelRefused(t *testing.T) {
	tok := hsmtest.NewToken(t)
	if _, err := tok.GenerateKey("release", hsm.ECDSAP256); err != nil {
		t.Fatal(err)
	}
	for _, alg := range []hsm.Algorithm{hsm.ECDSAP256, hsm.RSA3072, hsm.HMACSHA256} {
		_, err := tok.GenerateKey("release", alg)
		if !errors.Is(err, hsm.ErrLabelExists) || !strings.Contains(err.Error(), `"release"`) {
			t.Errorf("%s: err = %v, want ErrLabelExists naming the label", alg, err)
		}
	}
	keys, err := tok.Keys()
	if err != nil || len(keys) != 1 {
		t.Fatalf("Keys() = %v, %v; want the one key", keys, err)
	}
}

func TestGenerateKeyRefusesBadInput(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, tc := range []struct {
		label string
		alg   hsm.Algorithm
		want  string
	}{
		{"", hsm.ECDSAP256, "empty key label"},
		{"a\nb", hsm.ECDSAP256, "control characters"},
		{strings.Repeat("x", 129), hsm.ECDSAP256, "at most 128"},
		{"k", "rsa-1024", "unknown algorithm"},
	} {
		if _, err := tok.GenerateKey(tc.label, tc.alg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("GenerateKey(%q, %q) = %v, want %q", tc.label, tc.alg, err, tc.want)
		}
	}
}

func TestKeyNotFound(t *testing.T) {
	tok := hsmtest.NewToken(t)
	if _, err := tok.GenerateKey("mac", hsm.HMACSHA256); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"Signer":       func() error { _, err := tok.Signer("nope"); return err },
		"SignerByID":   func() error { _, err := tok.SignerByID([]byte{1, 2}); return err },
		"PinnedSigner": func() error { _, err := tok.PinnedSigner("nope", "sha256:00"); return err },
		"HMAC":         func() error { _, err := tok.HMAC("nope"); return err },
		"Key":          func() error { _, err := tok.Key("nope"); return err },
		"KeyByID":      func() error { _, err := tok.KeyByID([]byte("nope")); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, hsm.ErrKeyNotFound) {
			t.Errorf("%s: err = %v, want ErrKeyNotFound", name, err)
		}
	}
	if _, err := tok.Signer("mac"); err == nil || !strings.Contains(err.Error(), "not a signing key pair") {
		t.Errorf("Signer on an HMAC key: %v", err)
	}
}

func TestPinnedSigner(t *testing.T) {
	tok := hsmtest.NewToken(t)
	k, err := tok.GenerateKey("pinned", hsm.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tok.PinnedSigner("pinned", k.Fingerprint); err != nil {
		t.Fatal(err)
	}
	wrong := "sha256:" + strings.Repeat("0", 64)
	_, err = tok.PinnedSigner("pinned", wrong)
	var fe *hsm.FingerprintError
	if !errors.Is(err, hsm.ErrFingerprintMismatch) || !errors.As(err, &fe) || fe.Got != k.Fingerprint || fe.Want != wrong {
		t.Fatalf("err = %v, want a FingerprintError with both values", err)
	}
}

func TestSignOptionErrors(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, a := range []hsm.Algorithm{hsm.RSA3072, hsm.ECDSAP256, hsm.Ed25519} {
		if _, err := tok.GenerateKey(string(a), a); err != nil {
			t.Fatal(err)
		}
	}
	d := sum256([]byte("m"))
	tests := []struct {
		key    hsm.Algorithm
		digest []byte
		opts   crypto.SignerOpts
		want   string
	}{
		{hsm.RSA3072, d, &rsa.PSSOptions{Hash: crypto.SHA256}, "salt length is 0"},
		{hsm.RSA3072, d, &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthAuto}, "set it explicitly"},
		{hsm.RSA3072, d, crypto.SHA256, "only RSA-PSS"},
		{hsm.RSA3072, d[:20], secureBootPSS, "digest is 20 bytes"},
		{hsm.RSA3072, make([]byte, 20), &rsa.PSSOptions{Hash: crypto.SHA1, SaltLength: 20}, "want SHA-256"},
		{hsm.ECDSAP256, d, crypto.Hash(0), "needs opts.HashFunc()"},
		{hsm.ECDSAP256, d, crypto.SHA384, "SHA-384 needs 48"},
		{hsm.Ed25519, d, crypto.SHA512, "HashFunc() must be 0"},
		{hsm.Ed25519, d, &ed25519.Options{Context: "x"}, "context"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.key, tc.want), func(t *testing.T) {
			s, err := tok.Signer(string(tc.key))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Sign(nil, tc.digest, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	s, _ := tok.Signer(string(hsm.RSA3072))
	eq := &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash}
	sig, err := s.Sign(nil, d, eq)
	if err != nil || rsa.VerifyPSS(s.Public().(*rsa.PublicKey), crypto.SHA256, d, sig, &rsa.PSSOptions{SaltLength: 32}) != nil {
		t.Fatalf("PSSSaltLengthEqualsHash: %v", err)
	}
}

func TestConcurrentSigning(t *testing.T) {
	tok := hsmtest.NewToken(t)
	signers := make([]crypto.Signer, len(sigCases))
	for i, tc := range sigCases {
		if _, err := tok.GenerateKey("c-"+string(tc.alg), tc.alg); err != nil {
			t.Fatal(err)
		}
		signers[i], _ = tok.Signer("c-" + string(tc.alg))
	}
	if _, err := tok.GenerateKey("c-mac", hsm.HMACSHA256); err != nil {
		t.Fatal(err)
	}
	newMAC, err := tok.HMAC("c-mac")
	if err != nil {
		t.Fatal(err)
	}
	want := macOf(newMAC, []byte("same"))
	const workers, rounds = 24, 6
	errs := make(chan error, workers*rounds)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				i := (w + r) % len(sigCases)
				msg := fmt.Appendf(nil, "worker %d round %d", w, r)
				d := sigCases[i].digest(msg)
				sig, err := signers[i].Sign(nil, d, sigCases[i].opts)
				if err == nil {
					err = sigCases[i].verify(signers[i].Public(), d, sig)
				}
				if err == nil && !bytes.Equal(macOf(newMAC, []byte("same")), want) {
					err = errors.New("HMAC differs between goroutines")
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
