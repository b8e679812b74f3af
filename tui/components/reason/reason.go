// Package reason is the field where the operators confirm why a ceremony
// is aborted: prefilled with what the TUI knows, edited or accepted as it
// stands, and recorded with the abort in the audit log.
package reason

import (
	"strings"

	"signbox/tui/common"
	"signbox/tui/components/field"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// MaxLength is the longest reason the engine records.
const MaxLength = 200

// Model is one reason field.
type Model struct {
	input textinput.Model
}

// New builds a focused field prefilled with value.
func New(c common.Common, value string) Model {
	in := field.New(c, "Reason: ", value, c.Size.Width)
	in.CharLimit = MaxLength
	return Model{input: in}
}

// SetWidth fits the field to a screen w cells wide.
func (m Model) SetWidth(w int) Model {
	m.input.Width = max(w-len("Reason: ")-2, 10)
	return m
}

// Update types a key into the field.
func (m Model) Update(k tea.KeyMsg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return m, cmd
}

// Value is the reason without surrounding blanks.
func (m Model) Value() string { return strings.TrimSpace(m.input.Value()) }

// Problem is what to say when the reason is empty, or nil.
func (m Model) Problem() *common.Problem {
	if m.Value() == "" {
		return &common.Problem{What: "no reason given: an abort is recorded with one", Next: "type why the ceremony is aborted, then press enter"}
	}
	return nil
}

// View renders the field's line.
func (m Model) View() string { return m.input.View() }
