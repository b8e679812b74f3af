package ceremony

import "signbox/policy"

// KeyState is one inventory key as the appliance sees it now: the policy's
// status, overridden by a revocation recorded in the workspace.
type KeyState struct {
	Path        string // e.g. "keys.secure_boot[1]"
	Purpose     string // "secure_boot", "release_bundle", "audit_mac", "audit_checkpoint"
	Slot        int    // eFuse slot for secure_boot, -1 otherwise
	Label       string
	Algorithm   policy.Algorithm
	Status      policy.KeyStatus // effective status
	Fingerprint string
	RevokedBy   string // ceremony id, when revoked in the workspace
}

// KeyInventory lists the current policy's keys with their effective
// status, for key generation and revocation screens.
func (w *Workspace) KeyInventory() ([]KeyState, error) {
	pol, err := w.Policy()
	if err != nil {
		return nil, err
	}
	rv, err := w.Revocations()
	if err != nil {
		return nil, err
	}
	var out []KeyState
	for _, k := range pol.AllKeys() {
		ks := KeyState{Path: k.Path, Purpose: purposeOf(k.Path), Slot: k.Slot, Label: k.Label, Algorithm: k.Algorithm, Status: k.Status, Fingerprint: k.Fingerprint}
		for _, r := range rv.Slots {
			if ks.Purpose == "secure_boot" && r.Slot == k.Slot && r.Fingerprint == k.Fingerprint {
				ks.Status, ks.RevokedBy = policy.StatusRevoked, r.Ceremony
			}
		}
		out = append(out, ks)
	}
	return out, nil
}
