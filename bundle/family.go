package bundle

import (
	"crypto"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"signbox/airgap"
	"signbox/device/profile"
	"signbox/policy"
)

// A bundle of a product outside the ESP32 family (MCUboot) carries one
// image, the app, and the one firmware key that signed it. Its manifest
// names the family; the key is listed with the family's key id (the
// MCUboot KEYHASH) instead of an eFuse digest, and the verifier checks
// the image through device/profile as the device's bootloader would.

// familyOf returns the manifest's device family; nil for esp32.
func (m *Manifest) familyOf() (profile.Family, error) {
	if m.Family == "" {
		return nil, nil
	}
	if m.Family == "esp32" {
		return nil, fmt.Errorf("family: esp32 is written by leaving the field out")
	}
	return profile.Lookup(m.Family)
}

// checkTarget: an esp32 manifest names a chip; another family's names one
// of the family's boards.
func (m *Manifest) checkTarget() error {
	fam, err := m.familyOf()
	if err != nil {
		return fmt.Errorf("family: %w", err)
	}
	if fam == nil {
		if !slices.Contains(airgap.Chips, m.Chip) {
			return fmt.Errorf("chip: %q is not one of %v", m.Chip, airgap.Chips)
		}
		return nil
	}
	if err := profile.CheckTarget(fam, m.Chip); err != nil {
		return fmt.Errorf("chip: %w", err)
	}
	return nil
}

// checkFamilyKeys: exactly one key, slot 0, with a key hash and no eFuse
// digest; and exactly one image, the app.
func (m *Manifest) checkFamilyKeys() error {
	if len(m.Images) != 1 {
		return fmt.Errorf("images: %d entries; a %s bundle carries one app image", len(m.Images), m.Family)
	}
	if len(m.Keys) != 1 {
		return fmt.Errorf("keys: %d entries; a %s bundle carries the one firmware key", len(m.Keys), m.Family)
	}
	k := m.Keys[0]
	if k.Slot != 0 || k.Revoked {
		return fmt.Errorf("keys[0]: slot %d revoked %v; a %s key has slot 0 and is not revoked", k.Slot, k.Revoked, m.Family)
	}
	if f, ok := m.File(k.Path); !ok || f.Role != RolePublicKey {
		return fmt.Errorf("keys[0].path: %q is not a file with role %q", k.Path, RolePublicKey)
	}
	if k.EfuseDigest != "" {
		return fmt.Errorf("keys[0].efuse_digest: set in a %s manifest", m.Family)
	}
	if err := checkKeyHash(k.KeyHash); err != nil {
		return fmt.Errorf("keys[0].key_hash: %w", err)
	}
	return m.checkRoleCount(RolePublicKey, 1)
}

// checkKeyHash: lowercase hex of a SHA-256 or SHA-384 digest.
func checkKeyHash(s string) error {
	if (len(s) != 64 && len(s) != 96) || strings.ToLower(s) != s {
		return fmt.Errorf("want 64 or 96 lowercase hex digits")
	}
	_, err := hex.DecodeString(s)
	return err
}

// familyKey lists a non-ESP32 key with its key id.
func familyKey(fam profile.Family, k KeyInput) (string, error) {
	id, err := fam.KeyID(k.Public)
	if err != nil {
		return "", fmt.Errorf("key %s: %w", k.Name, err)
	}
	return hex.EncodeToString(id), nil
}

// familyKeys checks the listed key against its key hash and returns it.
func (v *verifier) familyKeys(fam profile.Family) ([]crypto.PublicKey, error) {
	var pubs []crypto.PublicKey
	for _, k := range v.man.Keys {
		pub, err := policy.ParsePublicKeyPEM(string(v.data[k.Path]))
		if err != nil {
			return nil, fail(k.Path, fmt.Errorf("%w: %v", ErrKeyDigest, err))
		}
		id, err := fam.KeyID(pub)
		if err != nil {
			return nil, fail(k.Path, fmt.Errorf("%w: %v", ErrKeyDigest, err))
		}
		if hex.EncodeToString(id) != k.KeyHash {
			return nil, fail(k.Path, fmt.Errorf("%w: %s %x, manifest says %s", ErrKeyDigest, fam.KeyIDName(), id, k.KeyHash))
		}
		pubs = append(pubs, pub)
	}
	return pubs, nil
}

// familyImage verifies the app as the device's bootloader would, with
// the bundle's key and the verifier's floor, and ties it to the manifest.
func (v *verifier) familyImage(fam profile.Family, im Image, pubs []crypto.PublicKey) (ImageResult, error) {
	b := v.data[im.Path]
	facts, err := fam.Verify(b, pubs, v.opts.MinSecurityVersion)
	if err != nil {
		return ImageResult{}, fail(im.Path, fmt.Errorf("%w: %v", ErrImageSignature, err))
	}
	if im.Role != airgap.RoleApp {
		return ImageResult{}, fail(im.Path, fmt.Errorf("%w: a %s bundle carries an app image, not a %s", ErrImage, fam.Name(), im.Role))
	}
	if facts.SecurityVersion != v.man.SecurityVersion {
		return ImageResult{}, fail(im.Path, fmt.Errorf("%w: security counter %d, manifest says %d", ErrImage, facts.SecurityVersion, v.man.SecurityVersion))
	}
	f, _ := v.man.File(im.Path)
	return ImageResult{Role: im.Role, Path: im.Path, SHA256: f.SHA256, KeyDigest: v.man.Keys[facts.Key].KeyHash,
		Slot: v.man.Keys[facts.Key].Slot, SecureVersion: facts.SecurityVersion, Data: b}, nil
}
