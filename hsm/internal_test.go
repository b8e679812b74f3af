//go:build cgo

package hsm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
)

func TestLoginError(t *testing.T) {
	none := func() string { return "" }
	tests := []struct {
		name     string
		err      error
		sentinel error
		want     string
	}{
		{"ok", nil, nil, ""},
		{"incorrect", pkcs11.Error(pkcs11.CKR_PIN_INCORRECT), ErrPINIncorrect, "may count towards locking"},
		{"locked", pkcs11.Error(pkcs11.CKR_PIN_LOCKED), ErrPINLocked, "security officer must reset"},
		{"other", pkcs11.Error(pkcs11.CKR_DEVICE_ERROR), nil, "C_Login"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := loginError("tok", tc.err, none)
			if tc.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"tok"`) {
				t.Errorf("error %q lacks %q or the token label", err, tc.want)
			}
		})
	}
}

func TestECDSADER(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("x"))
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	s.FillBytes(raw[32:])
	der, err := ecdsaDER(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&k.PublicKey, d[:], der) {
		t.Fatal("converted signature does not verify")
	}
	if _, err := ecdsaDER(raw[:63]); err == nil {
		t.Fatal("odd-length r||s accepted")
	}
}

func TestBytesToUint(t *testing.T) {
	b8 := binary.NativeEndian.AppendUint64(nil, 0x40)
	b4 := binary.NativeEndian.AppendUint32(nil, 0x40)
	for _, b := range [][]byte{b8, b4} {
		if v, err := bytesToUint(b); err != nil || v != 0x40 {
			t.Errorf("bytesToUint(%x) = %d, %v", b, v, err)
		}
	}
	if _, err := bytesToUint([]byte{1, 2, 3}); err == nil {
		t.Error("3-byte CK_ULONG accepted")
	}
}

func TestMechanismNames(t *testing.T) {
	for _, a := range Algorithms {
		for _, m := range []uint{a.genMechanism(), a.signMechanism()} {
			if !strings.HasPrefix(mechanismName(m), "CKM_") {
				t.Errorf("%s: mechanism 0x%x has no name", a, m)
			}
		}
	}
}
