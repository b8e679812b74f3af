//go:build cgo

package hsm_test

import (
	"crypto"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

func TestSignFailureDropsBrokenSession(t *testing.T) {
	tok := hsmtest.NewToken(t)
	if _, err := tok.GenerateKey("k", hsm.ECDSAP256); err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer("k")
	if err != nil {
		t.Fatal(err)
	}
	d := sum256([]byte("m"))
	idle := hsm.IdleSessions(tok)
	restore := hsm.InjectFaults(tok, "Sign", pkcs11.CKR_SESSION_HANDLE_INVALID)
	_, err = s.Sign(nil, d, crypto.SHA256)
	var rv pkcs11.Error
	if !errors.As(err, &rv) || rv != pkcs11.CKR_SESSION_HANDLE_INVALID || !strings.Contains(err.Error(), `key "k": C_Sign CKM_ECDSA`) {
		t.Fatalf("err = %v, want the PKCS#11 error with key and mechanism", err)
	}
	if got := hsm.IdleSessions(tok); got != idle-1 {
		t.Fatalf("idle sessions %d -> %d: the broken session went back to the pool", idle, got)
	}
	restore()
	if _, err := s.Sign(nil, d, crypto.SHA256); err != nil {
		t.Fatalf("sign after the fault: %v", err)
	}
}

func TestTokenFailuresSurface(t *testing.T) {
	tok := hsmtest.NewToken(t)
	if _, err := tok.GenerateKey("mac", hsm.HMACSHA256); err != nil {
		t.Fatal(err)
	}
	newMAC, err := tok.HMAC("mac")
	if err != nil {
		t.Fatal(err)
	}
	restore := hsm.InjectFaults(tok, "Sign", pkcs11.CKR_DEVICE_REMOVED)
	m := newMAC().(*hsm.MAC)
	if _, err := m.SumErr(nil); err == nil || !strings.Contains(err.Error(), "CKR_DEVICE_REMOVED") {
		t.Errorf("SumErr = %v", err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), `HMAC key "mac"`) {
				t.Errorf("Sum did not panic naming the key: %v", r)
			}
		}()
		m.Sum(nil)
	}()
	restore()

	restore = hsm.InjectFaults(tok, "GenerateRandom", pkcs11.CKR_DEVICE_ERROR)
	if _, err := io.ReadFull(tok.Rand(), make([]byte, 8)); err == nil || !strings.Contains(err.Error(), "C_GenerateRandom") {
		t.Errorf("Rand: %v", err)
	}
	restore()

	restore = hsm.InjectFaults(tok, "GenerateKeyPair", pkcs11.CKR_DEVICE_MEMORY)
	_, err = tok.GenerateKey("full", hsm.Ed25519)
	if err == nil || !strings.Contains(err.Error(), "CKM_EC_EDWARDS_KEY_PAIR_GEN: ") || !strings.Contains(err.Error(), "CKR_DEVICE_MEMORY") {
		t.Errorf("GenerateKey: %v", err)
	}
	restore()
}

func TestCorruptSignatureNeverLeaves(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, tc := range sigCases {
		if _, err := tok.GenerateKey(string(tc.alg), tc.alg); err != nil {
			t.Fatal(err)
		}
	}
	restore := hsm.InjectFaults(tok, "CorruptSign", 0)
	defer restore()
	for _, tc := range sigCases {
		s, err := tok.Signer(string(tc.alg))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := s.Sign(nil, tc.digest([]byte("m")), tc.opts)
		if sig != nil || err == nil || !strings.Contains(err.Error(), "does not verify under the key's public half") {
			t.Errorf("%s: sig %x, err %v", tc.alg, sig, err)
		}
	}
}
