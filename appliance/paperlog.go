package appliance

import (
	"crypto"
	"encoding/hex"
	"fmt"

	"signbox/device/esp"
	"signbox/policy"
)

// PaperKey is one key line of the genesis paper log: what kind of key it
// is, its label and algorithm, the fingerprint read aloud and, for a
// Secure Boot key, the digest that goes into the chip's eFuse slot.
type PaperKey struct {
	Kind        string // "secure boot slot 0", "release bundle", "audit MAC", "audit checkpoint"
	Label       string
	Algorithm   string
	Fingerprint string // "" for an HMAC key (it has no public half)
	EfuseDigest string // hex SHA-256 (Secure Boot V2 key digest); "" for other kinds
}

// paperKeys lists the genesis policy's keys in policy order, labelled by
// kind, with the eFuse digest of each Secure Boot key made now.
func paperKeys(p *policy.Policy, pubs map[string]crypto.PublicKey) ([]PaperKey, error) {
	var out []PaperKey
	for _, k := range p.AllKeys() {
		pk := PaperKey{Kind: keyKind(k), Label: k.Label, Algorithm: string(k.Algorithm), Fingerprint: k.Fingerprint}
		if pub := pubs[k.Label]; pub != nil && k.Slot >= 0 {
			d, err := esp.KeyDigest(pub)
			if err != nil {
				return nil, fmt.Errorf("eFuse digest of %s: %w", k.Label, err)
			}
			pk.EfuseDigest = hex.EncodeToString(d[:])
		}
		out = append(out, pk)
	}
	return out, nil
}

func keyKind(k policy.NamedKey) string {
	switch k.Path {
	case "keys.release_bundle":
		return "release bundle"
	case "keys.audit_mac":
		return "audit MAC"
	case "keys.audit_checkpoint":
		return "audit checkpoint"
	}
	return fmt.Sprintf("secure boot slot %d", k.Slot)
}
