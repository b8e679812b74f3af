package bundle

import (
	"strings"

	"signbox/device/esp"
)

// ImageFacts is what an ImageVerifier learned from a verified image.
type ImageFacts struct {
	Role          string // "app" or "bootloader", from the image's descriptor
	Chip          string // e.g. "esp32c3", from the image header
	SecureVersion uint32 // the image's anti-rollback version
	KeyDigest     [32]byte
	Slot          int // eFuse key slot whose digest verified
}

// ImageVerifier checks one signed image the way the chip's bootloader
// would: against eFuse key digests by slot, skipping revoked slots. It is
// a seam so tests and other device models can supply their own;
// ESPVerifier is the default.
type ImageVerifier func(image []byte, digests [3][32]byte, revoked [3]bool) (ImageFacts, error)

// ESPVerifier verifies with package device/esp, byte-compatible with the
// ESP-IDF bootloader and espsecure.
func ESPVerifier(image []byte, digests [3][32]byte, revoked [3]bool) (ImageFacts, error) {
	v, err := esp.VerifyDigests(image, digests, revoked)
	if err != nil {
		return ImageFacts{}, err
	}
	return ImageFacts{
		Role: v.Kind().String(), Chip: chipName(v.Chip()), SecureVersion: v.SecureVersion(),
		KeyDigest: v.KeyDigest(), Slot: v.Slot(),
	}, nil
}

// chipName turns esp's display name ("ESP32-C3") into the manifest form
// ("esp32c3", as in airgap.Chips).
func chipName(c esp.Chip) string {
	return strings.ToLower(strings.ReplaceAll(c.String(), "-", ""))
}
