// Package picker is a keyboard list: one line per item, a "> " marker on
// the selected one (so it reads without colour), scrolling to fit, with
// g/G for the ends and an optional filter for long lists.
package picker

import (
	"fmt"
	"strings"

	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Model is a list of pre-rendered item lines. With a filter set, only
// the items containing it (ignoring case) are shown; indexes a page sees
// (Cursor, Select) are always indexes into the full item list.
type Model struct {
	items  []string
	view   []int // indexes of the shown items, in order
	filter string
	pos    int // the cursor, as a position in view
	top    int // first shown position
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
	return m.refilter(m.pos)
}

// SetFilter shows only the items containing q (ignoring case); "" shows
// them all. The selected item stays selected if it is still shown.
func (m Model) SetFilter(q string) Model {
	cur := m.Cursor()
	m.filter = q
	m = m.refilter(0)
	if cur >= 0 {
		m = m.Select(cur)
	}
	return m
}

// Filter is the filter in force ("" for none).
func (m Model) Filter() string { return m.filter }

func (m Model) refilter(pos int) Model {
	m.view = m.view[:0:0]
	q := strings.ToLower(m.filter)
	for i, it := range m.items {
		if q == "" || strings.Contains(strings.ToLower(it), q) {
			m.view = append(m.view, i)
		}
	}
	return m.selectPos(pos)
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

// Cursor is the selected item's index in the full list, or -1 when the
// filter shows nothing (or there are no items).
func (m Model) Cursor() int {
	if len(m.view) == 0 {
		return -1
	}
	return m.view[m.pos]
}

// Select moves the cursor to item i (an index in the full list). An item
// the filter hides is not selected; i past either end selects that end.
func (m Model) Select(i int) Model {
	for p, v := range m.view {
		if v == i {
			return m.selectPos(p)
		}
	}
	if m.filter == "" {
		return m.selectPos(i)
	}
	return m
}

func (m Model) selectPos(p int) Model {
	m.pos = min(max(p, 0), max(len(m.view)-1, 0))
	return m.scroll()
}

// Update moves the cursor on up/down/pgup/pgdn and g/G (home/end).
func (m Model) Update(msg tea.Msg) Model {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m
	}
	switch {
	case key.Matches(k, m.keys.Up):
		return m.selectPos(m.pos - 1)
	case key.Matches(k, m.keys.Down):
		return m.selectPos(m.pos + 1)
	case key.Matches(k, m.keys.PageUp):
		return m.selectPos(m.pos - m.height)
	case key.Matches(k, m.keys.PageDown):
		return m.selectPos(m.pos + m.height)
	case key.Matches(k, m.keys.Top):
		return m.selectPos(0)
	case key.Matches(k, m.keys.Bottom):
		return m.selectPos(len(m.view) - 1)
	}
	return m
}

func (m Model) scroll() Model {
	if m.pos < m.top {
		m.top = m.pos
	}
	if m.pos >= m.top+m.height {
		m.top = m.pos - m.height + 1
	}
	m.top = max(min(m.top, len(m.view)-m.height), 0)
	return m
}

// Position is "12/58": the cursor's place among the shown items, "0/0"
// when none is shown.
func (m Model) Position() string {
	if len(m.view) == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d", m.pos+1, len(m.view))
}

// Shown is how many items the filter lets through.
func (m Model) Shown() int { return len(m.view) }

// Lines renders the visible items.
func (m Model) Lines() []string {
	var out []string
	for p := m.top; p < min(m.top+m.height, len(m.view)); p++ {
		it := m.items[m.view[p]]
		line := "  " + it
		if p == m.pos {
			line = m.styles.Selected.Render("> " + it)
		}
		out = append(out, common.Truncate(line, m.width))
	}
	return out
}
