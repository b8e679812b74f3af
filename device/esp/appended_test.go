package esp_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

func signC6(t *testing.T, built []byte) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := esp.Sign(built, []crypto.Signer{k}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func c6(t *testing.T, o esptest.Options) []byte {
	t.Helper()
	o.Chip = esp.ESP32C6
	b, err := esptest.Build(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckAppendedEveryByte: Sign's output passes, and changing any one
// byte of the built image in the signed file is caught.
func TestCheckAppendedEveryByte(t *testing.T) {
	for name, built := range map[string][]byte{
		"app":        c6(t, esptest.Options{Size: 1024, SecureVersion: 3, Version: "1.2.3", Project: "pump"}),
		"bootloader": c6(t, esptest.Options{Kind: esp.KindBootloader, Size: 1024, SecureVersion: 1}),
		"padded app": append(c6(t, esptest.Options{Size: 2048}), 0xFF, 0xFF, 0xFF, 0xFF),
	} {
		t.Run(name, func(t *testing.T) {
			signed := signC6(t, built)
			if err := esp.CheckAppended(built, signed); err != nil {
				t.Fatalf("Sign's output: %v", err)
			}
			for i := range built {
				bad := slices.Clone(signed)
				bad[i] ^= 0x01
				if err := esp.CheckAppended(built, bad); !errors.Is(err, esp.ErrImageChanged) {
					t.Fatalf("byte %#x changed: %v", i, err)
				}
			}
		})
	}
}

// TestCheckAppendedNamesField: the error names the descriptor field that
// changed, so a rewritten secure_version reads as one.
func TestCheckAppendedNamesField(t *testing.T) {
	built := c6(t, esptest.Options{Size: 4096, SecureVersion: 1, Version: "1.0.0", Project: "pump"})
	signed := signC6(t, built)
	tests := []struct {
		off  int
		want string
	}{
		{0x03, "byte 0x3 (esp_image_header_t)"},
		{0x1C, "byte 0x1c (segment 0 header)"},
		{0x24, "byte 0x24 (esp_app_desc_t.secure_version) is 0x00, the built image has 0x01"},
		{0x30, "(esp_app_desc_t.version)"},
		{0x50, "(esp_app_desc_t.project_name)"},
		{0x200, "(segment 0 data)"},
		{len(built) - 33, "(checksum)"},
		{len(built) - 1, "(appended sha-256)"},
	}
	for _, tt := range tests {
		bad := slices.Clone(signed)
		bad[tt.off] ^= 0x01
		err := esp.CheckAppended(built, bad)
		if !errors.Is(err, esp.ErrImageChanged) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("offset %#x: %v, want %q", tt.off, err, tt.want)
		}
	}
}

func TestCheckAppendedRefusals(t *testing.T) {
	built := c6(t, esptest.Options{Size: 3000})
	signed := signC6(t, built)
	padByte := slices.Clone(signed)
	padByte[len(built)] = 0
	sector := slices.Clone(signed)
	sector[len(sector)-1] = 0
	tests := []struct {
		name          string
		built, signed []byte
		want          error
		msg           string
	}{
		{"unsigned output", built, built, esp.ErrImageChanged, "want 8192"},
		{"extra sector", built, append(slices.Clone(signed), make([]byte, 4096)...), esp.ErrImageChanged, "12288 bytes"},
		{"padding", built, padByte, esp.ErrImageChanged, "padding byte 0xbc0 is 0x00"},
		{"sector tail", built, sector, esp.ErrImageChanged, "the appended sector"},
		{"built is signed", signed, signed, esp.ErrSigned, "built image"},
		{"built is garbage", []byte{0xE9}, signed, esp.ErrTruncated, "built image"},
	}
	for _, tt := range tests {
		err := esp.CheckAppended(tt.built, tt.signed)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v, want %v containing %q", tt.name, err, tt.want, tt.msg)
		}
	}
}
