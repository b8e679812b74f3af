package esp_test

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// TestChipFacts pins the per-chip table against its sources (chip.go):
// key digest slots and bytes kept, SECURE_VERSION width
// (Kconfig.app_rollback: ESP32 32, C2 4, C5 9, others 16), the schemes the
// ROM verifies and ESP32's v3.0 requirement for Secure Boot V2.
func TestChipFacts(t *testing.T) {
	tests := []struct {
		chip          esp.Chip
		slots, digest int
		secVer        int
		minRev        uint16
		schemes       string
		revoke        bool
		secureBootEn  string
	}{
		{esp.ESP32, 1, 32, 32, 300, "[RSA-3072-PSS]", false, "ABS_DONE_1"},
		{esp.ESP32S2, 3, 32, 16, 0, "[RSA-3072-PSS]", true, "SECURE_BOOT_EN"},
		{esp.ESP32S3, 3, 32, 16, 0, "[RSA-3072-PSS]", true, "SECURE_BOOT_EN"},
		{esp.ESP32C2, 1, 16, 4, 0, "[ECDSA-P256]", false, "SECURE_BOOT_EN"},
		{esp.ESP32C3, 3, 32, 16, 0, "[RSA-3072-PSS]", true, "SECURE_BOOT_EN"},
		{esp.ESP32C5, 3, 32, 9, 0, "[RSA-3072-PSS ECDSA-P256 ECDSA-P384]", true, "SECURE_BOOT_EN"},
		{esp.ESP32C6, 3, 32, 16, 0, "[RSA-3072-PSS ECDSA-P256]", true, "SECURE_BOOT_EN"},
		{esp.ESP32C61, 3, 32, 16, 0, "[ECDSA-P256]", true, "SECURE_BOOT_EN"},
		{esp.ESP32H2, 3, 32, 16, 0, "[RSA-3072-PSS ECDSA-P256]", true, "SECURE_BOOT_EN"},
		{esp.ESP32P4, 3, 32, 16, 0, "[RSA-3072-PSS ECDSA-P256 ECDSA-P384]", true, "SECURE_BOOT_EN"},
	}
	for _, tt := range tests {
		t.Run(tt.chip.String(), func(t *testing.T) {
			c := tt.chip
			got := fmt.Sprint(c.KeySlots(), c.DigestLen(), c.SecureVersionBits(), c.MinRevisionSBV2(), fmt.Sprint(c.Schemes()), c.RevokeSlots(), c.EFuseNames().SecureBootEn)
			want := fmt.Sprint(tt.slots, tt.digest, tt.secVer, tt.minRev, tt.schemes, tt.revoke, tt.secureBootEn)
			if got != want {
				t.Fatalf("slots digest secver minrev schemes revoke sb_en = %s, want %s", got, want)
			}
			if c.MaxBlocks() != c.KeySlots() {
				t.Fatal("the bootloader reads one block per key slot")
			}
		})
	}
}

// TestVerifyOnChip: espsecure accepts a P-384 block on an ESP32-C6 image
// (esp.Verify agrees with it); for the chip it is not valid.
func TestVerifyOnChip(t *testing.T) {
	ec384 := readFile(t, vecDir+"/app-sv4-c6.p384.signed.bin")
	if _, err := esp.Verify(ec384, vecPub(t, "p384")); err != nil {
		t.Fatalf("espsecure parity: %v", err)
	}
	if _, err := esp.VerifyOnChip(ec384, vecPub(t, "p384")); !errors.Is(err, esp.ErrChipScheme) {
		t.Fatalf("P-384 on ESP32-C6: %v, want %v", err, esp.ErrChipScheme)
	}
	ec256 := readFile(t, vecDir+"/app-sv4-c6.p256.signed.bin")
	if v, err := esp.VerifyOnChip(ec256, vecPub(t, "p256")); err != nil || v.Scheme() != esp.SchemeECDSAP256 {
		t.Fatalf("P-256 on ESP32-C6: %v", err)
	}
	c5 := signWith(t, esptest.Options{Chip: esp.ESP32C5, Size: 5000}, "p384")
	if _, err := esp.VerifyOnChip(c5, vecPub(t, "p384")); err != nil {
		t.Fatalf("P-384 on ESP32-C5: %v", err)
	}
}

// TestESP32RevisionForSecureBootV2: an ESP32 image that also runs on
// revisions before v3.0 (whose ROM has no Secure Boot V2) is neither
// signed nor verified for the chip.
func TestESP32RevisionForSecureBootV2(t *testing.T) {
	rsaA := vecPriv(t, "rsa3072-a")
	old := must(esptest.Build(esptest.Options{UseESP32: true, Size: 5000, MinRev: 100, MaxRev: 399}))
	if _, err := esp.Sign(old, []crypto.Signer{rsaA}, rand.Reader); !errors.Is(err, esp.ErrChipRevision) {
		t.Fatalf("sign ESP32 v1.0 image: %v, want %v", err, esp.ErrChipRevision)
	}
	if _, err := esp.VerifyOnChip(old, rsaA.Public()); !errors.Is(err, esp.ErrChipRevision) {
		t.Fatalf("verify ESP32 v1.0 image: %v, want %v", err, esp.ErrChipRevision)
	}
	v3 := signWith(t, esptest.Options{UseESP32: true, Size: 5000}, "rsa3072-a")
	if _, err := esp.VerifyOnChip(v3, rsaA.Public()); err != nil {
		t.Fatalf("ESP32 v3.0 image: %v", err)
	}
}

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
