package esp_test

import (
	"crypto"
	"crypto/rand"
	"errors"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// TestPreV51Bootloader: a bootloader built by ESP-IDF before v5.1 has no
// esp_bootloader_desc_t. esptool image_info reads it (it prints a
// descriptor only when one is there); so does ParseImage: a bootloader
// with secure version 0 that signs and verifies like any other.
func TestPreV51Bootloader(t *testing.T) {
	raw := must(esptest.Build(esptest.Options{Kind: esp.KindBootloader, NoDescriptor: true, Chip: esp.ESP32C6, Size: 8 << 10}))
	img, err := esp.ParseImage(raw)
	if err != nil {
		t.Fatalf("pre-v5.1 bootloader refused: %v", err)
	}
	if img.Kind != esp.KindBootloader || img.HasDescriptor() || img.SecureVersion() != 0 {
		t.Fatalf("kind %s, descriptor %v, secure version %d", img.Kind, img.HasDescriptor(), img.SecureVersion())
	}
	if _, err := esp.WithSecureVersion(raw, 1); !errors.Is(err, esp.ErrNoDescriptor) {
		t.Fatalf("set secure version without a descriptor: %v", err)
	}
	signed, err := esp.Sign(raw, []crypto.Signer{vecPriv(t, "p256")}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v, err := esp.VerifyDigests(signed, [3][32]byte{keyDigest(t, "p256")}, [3]bool{})
	if err != nil || v.Kind() != esp.KindBootloader || v.SecureVersion() != 0 {
		t.Fatalf("verify: %v (%s, secure version %d)", err, v.Kind(), v.SecureVersion())
	}
	if _, err := esp.VerifyOnChip(signed, vecPub(t, "p256")); err != nil {
		t.Fatal(err)
	}
}
