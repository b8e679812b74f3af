package ceremony

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"signbox/device/esp"
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
	Notes      []string         `json:"notes"`
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
