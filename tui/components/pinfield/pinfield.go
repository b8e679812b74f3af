// Package pinfield is a masked PIN entry. The PIN is kept as bytes so it
// can be zeroed; it is never rendered, nor is its length: the field shows
// the same mask for one typed byte as for sixty.
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
		runes := trimNewlines(k.Runes)
		if len(runes) == 0 {
			return m
		}
		if m.pin == nil {
			// Sized once: append never outgrows it, so no partial copy
			// of the PIN is left behind in an abandoned array.
			m.pin = make([]byte, 0, maxPIN)
		}
		if len(m.pin)+len(string(runes)) <= maxPIN {
			m.pin = append(m.pin, string(runes)...)
		}
	case tea.KeyBackspace:
		if n := len(m.pin); n > 0 {
			m.pin[n-1] = 0
			m.pin = m.pin[:n-1]
		}
	}
	return m
}

// trimNewlines drops the line ending a pasted PIN brings along (copied
// from a password manager or a file, it often ends in "\n" or "\r\n"):
// a newline is never part of a PIN, and the custodian still presses enter
// to approve.
func trimNewlines(r []rune) []rune {
	for len(r) > 0 && (r[len(r)-1] == '\n' || r[len(r)-1] == '\r') {
		r = r[:len(r)-1]
	}
	return r
}

// Empty reports whether nothing is typed. How much is typed is not
// exposed, so no page can show it.
func (m Model) Empty() bool { return len(m.pin) == 0 }

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

// Mask is what the field shows once anything is typed, whatever the
// PIN's length.
const Mask = "••••••"

// View shows the cursor, after Mask once anything is typed: neither the
// PIN nor its length.
func (m Model) View() string {
	if len(m.pin) == 0 {
		return "_"
	}
	return Mask + "_"
}

// Zero overwrites b.
func Zero(b []byte) { clear(b) }
