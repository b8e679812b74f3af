package ceremony

import (
	"fmt"
	"path/filepath"
)

const revocationsFormat = "signbox-revocations/v1"

// Revocations lists retired Secure Boot slots.
type Revocations struct {
	Format string       `json:"format"`
	Slots  []Revocation `json:"slots"`
}

// Revocation records one retired slot.
type Revocation struct {
	Slot        int    `json:"slot"`
	Label       string `json:"label"`
	Fingerprint string `json:"fingerprint"`
	Reason      string `json:"reason"`
	Ceremony    string `json:"ceremony"`
	Date        string `json:"date"`
}

func (w *Workspace) revocationsPath() string { return filepath.Join(w.root, "revocations.json") }

// Revocations reads <root>/revocations.json.
func (w *Workspace) Revocations() (Revocations, error) {
	r := Revocations{Format: revocationsFormat, Slots: []Revocation{}}
	if _, err := readJSON(w.revocationsPath(), &r); err != nil {
		return r, fmt.Errorf("read revocations: %w", err)
	}
	if r.Format != revocationsFormat {
		return r, fmt.Errorf("revocations.json format %q, want %q", r.Format, revocationsFormat)
	}
	return r, nil
}

// Revoked reports whether slot is retired.
func (r Revocations) Revoked(slot int) bool {
	for _, s := range r.Slots {
		if s.Slot == slot {
			return true
		}
	}
	return false
}

func (w *Workspace) recordRevocation(rv Revocation) error {
	r, err := w.Revocations()
	if err != nil {
		return err
	}
	if r.Revoked(rv.Slot) {
		return fmt.Errorf("slot %d is already revoked", rv.Slot)
	}
	r.Slots = append(r.Slots, rv)
	return writeJSON(w.revocationsPath(), r)
}
