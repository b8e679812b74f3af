package appliance

import (
	"crypto"
	"encoding/hex"
	"fmt"
	"strings"

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

// PaperLog is every line the operators copy into the paper log, the same
// on the CLI and in the TUI.
func (g *Genesis) PaperLog() []string {
	r := g.Policy.Custody()
	holders := make([]string, len(r.Holders))
	for i, h := range r.Holders {
		holders[i] = h.Name
	}
	out := []string{
		fmt.Sprintf("genesis policy %s serial %d %s", g.Policy.Name, g.Policy.Serial, g.Policy.Digest()),
		fmt.Sprintf("appliance token PINs: random, split %d of %d among %s (share set %s)",
			r.Threshold, len(r.Holders), strings.Join(holders, " "), g.ShareSet),
	}
	for _, k := range g.Keys {
		fp := k.Fingerprint
		if fp == "" {
			fp = "(secret key: no fingerprint)"
		}
		out = append(out, fmt.Sprintf("key %-18s %-18s %-11s %s", k.Kind, k.Label, k.Algorithm, fp))
		if k.EfuseDigest != "" {
			out = append(out, fmt.Sprintf("    eFuse digest (slot %s) %s", strings.TrimPrefix(k.Kind, "secure boot slot "), k.EfuseDigest))
		}
	}
	out = append(out, fmt.Sprintf("HSM anchor #%d", g.Anchor.Counter), "first audit checkpoint:")
	for _, l := range strings.Split(strings.TrimRight(string(g.Checkpoint), "\n"), "\n") {
		out = append(out, "  "+l)
	}
	return out
}
