// Package scroll is a read-only, keyboard-scrolled block of lines with a
// position indicator, for plans, logs and boot traces.
package scroll

import (
	"fmt"

	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Model shows lines[top:top+height].
type Model struct {
	lines  []string
	top    int
	height int
	width  int
	keys   common.KeyMap
	// reserved is the page lines a NewPage scroller leaves to the page.
	reserved int
}

// New builds a scroller.
func New(c common.Common, lines []string, height int) Model {
	m := Model{keys: c.Keys, width: c.Size.Width}
	return m.SetLines(lines).SetHeight(height)
}

// NewPage builds a scroller that fills a page body but for reserved
// lines, the ones the page shows around it; Fit keeps it so on resize, so
// the count is written once per page.
func NewPage(c common.Common, lines []string, reserved int) Model {
	m := New(c, lines, c.Size.Height-reserved)
	m.reserved = reserved
	return m
}

// Fit sizes a NewPage scroller to a page body of size s.
func (m Model) Fit(s common.Size) Model {
	return m.SetHeight(s.Height - m.reserved).SetWidth(s.Width)
}

// SetLines replaces the content, keeping the position if it still fits.
func (m Model) SetLines(lines []string) Model {
	m.lines = lines
	return m.clamp()
}

// SetHeight sets the visible line count.
func (m Model) SetHeight(h int) Model {
	m.height = max(h, 1)
	return m.clamp()
}

// SetWidth sets the truncation width.
func (m Model) SetWidth(w int) Model {
	m.width = w
	return m
}

// ToBottom scrolls to the end, for traces that grow.
func (m Model) ToBottom() Model {
	m.top = len(m.lines)
	return m.clamp()
}

// AtBottom reports whether the last line is visible.
func (m Model) AtBottom() bool { return m.top+m.height >= len(m.lines) }

func (m Model) clamp() Model {
	m.top = max(min(m.top, len(m.lines)-m.height), 0)
	return m
}

// Update scrolls on up/down/pgup/pgdn and g/G (home/end).
func (m Model) Update(msg tea.Msg) Model {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m
	}
	switch {
	case key.Matches(k, m.keys.Up):
		m.top--
	case key.Matches(k, m.keys.Down):
		m.top++
	case key.Matches(k, m.keys.PageUp):
		m.top -= m.height
	case key.Matches(k, m.keys.PageDown):
		m.top += m.height
	case key.Matches(k, m.keys.Top):
		m.top = 0
	case key.Matches(k, m.keys.Bottom):
		m.top = len(m.lines)
	}
	return m.clamp()
}

// Lines renders the visible lines.
func (m Model) Lines() []string {
	var out []string
	for i := m.top; i < min(m.top+m.height, len(m.lines)); i++ {
		out = append(out, common.Truncate(m.lines[i], m.width))
	}
	return out
}

// Position is "lines a-b of n", or "" when everything fits.
func (m Model) Position() string {
	if len(m.lines) <= m.height {
		return ""
	}
	return fmt.Sprintf("lines %d-%d of %d", m.top+1, min(m.top+m.height, len(m.lines)), len(m.lines))
}
