// Package picker is a keyboard list: one line per item, a "> " marker on
// the selected one (so it reads without colour), scrolling to fit.
package picker

import (
	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Model is a list of pre-rendered item lines.
type Model struct {
	items  []string
	cursor int
	top    int
	height int
	width  int
	keys   common.KeyMap
	styles common.Styles
}

// New builds a picker showing height lines.
func New(c common.Common, items []string, height int) Model {
	m := Model{keys: c.Keys, styles: c.Styles, width: c.Size.Width}
	return m.SetItems(items).SetHeight(height)
}

// SetItems replaces the items, keeping the cursor in range.
func (m Model) SetItems(items []string) Model {
	m.items = items
	m.cursor = min(m.cursor, max(len(items)-1, 0))
	return m.scroll()
}

// SetHeight sets how many lines the list may use.
func (m Model) SetHeight(h int) Model {
	m.height = max(h, 1)
	return m.scroll()
}

// SetWidth sets the width lines are truncated to.
func (m Model) SetWidth(w int) Model {
	m.width = w
	return m
}

// Cursor is the selected index.
func (m Model) Cursor() int { return m.cursor }

// Select moves the cursor.
func (m Model) Select(i int) Model {
	m.cursor = min(max(i, 0), max(len(m.items)-1, 0))
	return m.scroll()
}

// Update moves the cursor on up/down/pgup/pgdn.
func (m Model) Update(msg tea.Msg) Model {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m
	}
	switch {
	case key.Matches(k, m.keys.Up):
		return m.Select(m.cursor - 1)
	case key.Matches(k, m.keys.Down):
		return m.Select(m.cursor + 1)
	case key.Matches(k, m.keys.PageUp):
		return m.Select(m.cursor - m.height)
	case key.Matches(k, m.keys.PageDown):
		return m.Select(m.cursor + m.height)
	}
	return m
}

func (m Model) scroll() Model {
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+m.height {
		m.top = m.cursor - m.height + 1
	}
	m.top = max(min(m.top, len(m.items)-m.height), 0)
	return m
}

// Lines renders the visible items.
func (m Model) Lines() []string {
	var out []string
	for i := m.top; i < min(m.top+m.height, len(m.items)); i++ {
		line := "  " + m.items[i]
		if i == m.cursor {
			line = m.styles.Selected.Render("> " + m.items[i])
		}
		out = append(out, common.Truncate(line, m.width))
	}
	return out
}
