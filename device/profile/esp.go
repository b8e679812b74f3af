package profile

import (
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strings"

	"signbox/device/esp"
)

// ESP32 is the ESP32 family with Secure Boot V2 (device/esp): targets are
// chips; a chip verifies the schemes its ROM has.
type ESP32 struct{}

func (ESP32) Name() string { return "esp32" }

// espChips are the policy's chip names (policy.Chips), lower case without
// dashes, each known to device/esp's chip table.
var espChips = []string{"esp32", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32h2", "esp32p4", "esp32s2", "esp32s3"}

func (ESP32) Targets() []string { return slices.Clone(espChips) }

var espSchemeNames = map[esp.Scheme]string{
	esp.SchemeRSA3072: "rsa-3072", esp.SchemeECDSAP256: "ecdsa-p256", esp.SchemeECDSAP384: "ecdsa-p384",
}

func (f ESP32) Algorithms(target string) ([]string, error) {
	if err := CheckTarget(f, target); err != nil {
		return nil, err
	}
	c, err := esp.ParseChip(target)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range c.Schemes() {
		out = append(out, espSchemeNames[s])
	}
	return out, nil
}

// Sniff: an ESP image starts with the magic byte 0xE9 (esp-idf-formats.md §1).
func (ESP32) Sniff(b []byte) bool { return len(b) > 0 && b[0] == 0xE9 }

func (ESP32) Describe(b []byte) (string, error) {
	img, err := esp.ParseImage(b)
	if err != nil {
		return "", err
	}
	var w strings.Builder
	fmt.Fprintf(&w, "ESP image: %d bytes, chip %s, %s\n", len(b), img.Header.Chip, img.Kind)
	if d := img.App; d != nil {
		fmt.Fprintf(&w, "Version: %s\nSecure version: %d\n", d.Version, d.SecureVersion)
	}
	fmt.Fprintf(&w, "Signed: %v\n", img.Signed())
	return w.String(), nil
}

func (ESP32) Sign(raw []byte, signers []crypto.Signer, p SignParams) ([]byte, error) {
	return esp.Sign(raw, signers, p.Rand)
}

// Verify checks the image's Secure Boot V2 blocks against keys (as eFuse
// digests in slot order) and its secure_version against the floor.
func (ESP32) Verify(image []byte, keys []crypto.PublicKey, floor uint32) (Facts, error) {
	if len(keys) == 0 || len(keys) > 3 {
		return Facts{}, fmt.Errorf("esp32: %d keys; a chip has 1 to 3 digest slots", len(keys))
	}
	v, err := esp.Verify(image, keys...)
	if err != nil {
		return Facts{}, err
	}
	if v.SecureVersion() < floor {
		return Facts{}, fmt.Errorf("%w: secure_version %d below the floor %d", ErrBelowFloor, v.SecureVersion(), floor)
	}
	f := Facts{Family: "esp32", Target: strings.ToLower(strings.ReplaceAll(v.Chip().String(), "-", "")),
		SecurityVersion: v.SecureVersion(), ImageDigest: v.ImageDigest(), Key: -1}
	if img, err := esp.ParseImage(image); err == nil && img.App != nil {
		f.Version = img.App.Version
	}
	for i, k := range keys {
		if d, err := esp.KeyDigest(k); err == nil && d == v.KeyDigest() {
			f.Key = i
		}
	}
	return f, nil
}

// KeyID is the eFuse key digest (esp-idf-formats.md §2).
func (ESP32) KeyID(pub crypto.PublicKey) ([]byte, error) {
	d, err := esp.KeyDigest(pub)
	if err != nil {
		return nil, err
	}
	return d[:], nil
}

func (ESP32) KeyIDName() string { return "efuse_digest" }

// ErrBelowFloor: the image's anti-rollback version is below the device's.
var ErrBelowFloor = errors.New("image below the rollback floor")
