// Package pathform is the path field the media and bundle pages share: a
// focused input whose value is read trimmed, refused when empty with the
// page's own advice, and shown above the page's busy and error lines.
package pathform

import (
	"strings"

	"signbox/tui/common"
	"signbox/tui/components/field"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Model is one path field.
type Model struct {
	input textinput.Model
	// margin is what SetWidth leaves beside the input: the prompt and a
	// cell either side of the cursor.
	margin int
	empty  common.Problem
}

// New builds a field with prompt and a prefilled value; empty is the
// problem shown when the operator runs it with nothing typed.
func New(c common.Common, prompt, value string, empty common.Problem) Model {
	return Model{input: field.New(c, prompt, value, c.Size.Width), margin: len(prompt) + 2, empty: empty}
}

// SetWidth fits the input to a screen w cells wide.
func (m Model) SetWidth(w int) Model {
	m.input.Width = max(w-m.margin, 10)
	return m
}

// Update types a key into the field.
func (m Model) Update(k tea.KeyMsg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return m, cmd
}

// Value is the typed path without surrounding blanks.
func (m Model) Value() string { return strings.TrimSpace(m.input.Value()) }

// Path is the path to run on, or the page's "no path given" problem.
func (m Model) Path() (string, *common.Problem) {
	p := m.Value()
	if p == "" {
		e := m.empty
		return "", &e
	}
	return p, nil
}

// View renders the field's line.
func (m Model) View() string { return m.input.View() }

// Status is the lines under a running form: the busy line while op runs,
// then the problem, if any.
func Status(c common.Common, op common.Op, busy string, p *common.Problem) []string {
	var lines []string
	if op.Running() {
		lines = append(lines, c.Busy(busy))
	}
	return append(lines, c.Styles.ErrorLines(p, c.Size.Width)...)
}
