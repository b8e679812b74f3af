// Package pinfield is a masked PIN entry. The PIN is kept as bytes so it
// can be zeroed; it is never rendered, only a fixed mask is.
package pinfield

import (
	tea "github.com/charmbracelet/bubbletea"
)

// maxPIN bounds the entry; PKCS#11 tokens take far shorter PINs.
const maxPIN = 64

// Model holds the PIN typed so far.
type Model struct {
	pin []byte
}

// Update appends typed runes and handles backspace. Other keys are left
// to the page.
func (m Model) Update(msg tea.Msg) Model {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m
	}
	switch k.Type {
	case tea.KeyRunes:
		if len(m.pin)+len(string(k.Runes)) <= maxPIN {
			m.pin = append(m.pin, string(k.Runes)...)
		}
	case tea.KeyBackspace:
		if n := len(m.pin); n > 0 {
			m.pin[n-1] = 0
			m.pin = m.pin[:n-1]
		}
	}
	return m
}

// Len is how many bytes have been typed.
func (m Model) Len() int { return len(m.pin) }

// Take hands the PIN over and leaves the field empty: the caller owns the
// returned slice and must zero it after use (see Zero). The field's own
// buffer is wiped.
func (m Model) Take() (Model, []byte) {
	out := make([]byte, len(m.pin))
	copy(out, m.pin)
	Zero(m.pin)
	return Model{}, out
}

// Clear wipes the field.
func (m Model) Clear() Model {
	Zero(m.pin)
	return Model{}
}

// View shows one '*' per byte typed, never the PIN.
func (m Model) View() string {
	out := make([]byte, len(m.pin))
	for i := range out {
		out[i] = '*'
	}
	return string(out) + "_"
}

// Zero overwrites b.
func Zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
