package ceremony

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"signbox/device/esp"
	"signbox/device/mcuboot"
	"signbox/policy"
)

const profileFormat = "signbox-provisioning-profile/v1"

// Profile tells the device team what to burn into eFuses. Burning is
// irreversible; the profile says so in its notes.
type Profile struct {
	Format     string           `json:"format"`
	Ceremony   string           `json:"ceremony"`
	Date       string           `json:"date"`
	PlanDigest string           `json:"plan_digest"`
	Chips      []string         `json:"chips"`
	Scheme     policy.Algorithm `json:"scheme"`
	Slots      []ProfileSlot    `json:"slots"`
	// Firmware lists the MCUboot image signing keys made, for the
	// bootloader build; absent when none was.
	Firmware []ProfileFirmwareKey `json:"firmware,omitempty"`
	Notes    []string             `json:"notes"`
}

// ProfileFirmwareKey is a keys.firmware key: which products' bootloaders
// embed it, and the KEYHASH value their images will carry.
type ProfileFirmwareKey struct {
	Label       string           `json:"label"`
	Algorithm   policy.Algorithm `json:"algorithm"`
	Fingerprint string           `json:"fingerprint"`
	Products    []string         `json:"products"`
	Boards      []string         `json:"boards"`
	// KeyHash is hex of the KEYHASH TLV (mcuboot-formats.md §2): the
	// image hash (SHA-256; SHA-384 for P-384) over the key bytes the
	// bootloader embeds.
	KeyHash string `json:"key_hash"`
}

// firmwareKey describes a firmware key for the profile.
func firmwareKey(pol *policy.Policy, k KeyRef, pub crypto.PublicKey) (ProfileFirmwareKey, error) {
	kh, err := mcuboot.KeyHash(pub)
	if err != nil {
		return ProfileFirmwareKey{}, err
	}
	fp, err := policy.Fingerprint(pub)
	if err != nil {
		return ProfileFirmwareKey{}, err
	}
	fk := ProfileFirmwareKey{Label: k.Label, Algorithm: k.Algorithm, Fingerprint: fp, KeyHash: hex.EncodeToString(kh), Products: []string{}, Boards: []string{}}
	for _, p := range pol.Products {
		if p.Key == k.Label {
			fk.Products = append(fk.Products, p.ID)
			fk.Boards = append(fk.Boards, p.Board)
		}
	}
	return fk, nil
}

// ProfileSlot is one Secure Boot key digest slot.
type ProfileSlot struct {
	Slot        int    `json:"slot"`
	Action      string `json:"action"` // "burn-digest" or "revoke"
	Label       string `json:"label"`
	Fingerprint string `json:"fingerprint"`
	KeyDigest   string `json:"key_digest,omitempty"` // hex, for espefuse burn_key_digest
	EFuse       string `json:"efuse"`
}

func chipsOf(pol *policy.Policy) []string {
	var chips []string
	for _, p := range pol.Products {
		if p.FamilyName() == policy.FamilyESP32 {
			chips = append(chips, p.Chip)
		}
	}
	return chips
}

// burnSlot describes burning pub's digest into slot (esp-idf-formats.md §2:
// KEY_PURPOSE = SECURE_BOOT_DIGEST0..2, digest burned unreversed).
func burnSlot(k KeyRef, pub crypto.PublicKey) (ProfileSlot, error) {
	d, err := esp.KeyDigest(pub)
	if err != nil {
		return ProfileSlot{}, err
	}
	fp, err := policy.Fingerprint(pub)
	if err != nil {
		return ProfileSlot{}, err
	}
	return ProfileSlot{
		Slot: k.Slot, Action: "burn-digest", Label: k.Label, Fingerprint: fp,
		KeyDigest: hex.EncodeToString(d[:]),
		EFuse:     fmt.Sprintf("a free BLOCK_KEYn with KEY_PURPOSE=SECURE_BOOT_DIGEST%d", k.Slot),
	}, nil
}

// revokeSlot describes retiring slot (SECURE_BOOT_KEY_REVOKEn).
func revokeSlot(k KeyRef) ProfileSlot {
	return ProfileSlot{Slot: k.Slot, Action: "revoke", Label: k.Label, Fingerprint: k.Fingerprint, EFuse: fmt.Sprintf("SECURE_BOOT_KEY_REVOKE%d", k.Slot)}
}

func encodeProfile(p Profile) []byte {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		panic("ceremony: profile does not encode: " + err.Error())
	}
	return append(b, '\n')
}
