package picker

import (
	"fmt"
	"strings"
	"testing"

	"signbox/tui/common"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

func TestScrollKeepsCursorVisible(t *testing.T) {
	c := common.Common{Keys: common.DefaultKeyMap(), Styles: common.NewStyles(lipgloss.NewRenderer(nil)), Size: common.Size{Width: 40, Height: 10}}
	var items []string
	for i := range 10 {
		items = append(items, fmt.Sprintf("item %d", i))
	}
	m := New(c, items, 3)
	down := tea.KeyMsg{Type: tea.KeyDown}
	for range 5 {
		m = m.Update(down)
	}
	lines := m.Lines()
	if m.Cursor() != 5 || len(lines) != 3 || !strings.HasPrefix(lines[2], "> item 5") {
		t.Fatalf("cursor %d, lines %q", m.Cursor(), lines)
	}
	for range 20 {
		m = m.Update(down)
	}
	if m.Cursor() != 9 {
		t.Fatalf("cursor ran past the end: %d", m.Cursor())
	}
	m = m.SetItems(items[:2])
	if m.Cursor() != 1 || len(m.Lines()) != 2 {
		t.Fatalf("after shrinking: cursor %d lines %q", m.Cursor(), m.Lines())
	}
}

func TestFilterKeepsIndexesOfTheFullList(t *testing.T) {
	c := common.Common{Keys: common.DefaultKeyMap(), Styles: common.NewStyles(lipgloss.NewRenderer(nil)), Size: common.Size{Width: 40, Height: 10}}
	items := []string{"GO-1 mbedtls", "GO-2 lwip", "GO-3 mbedtls", "GO-4 zlib"}
	m := New(c, items, 3)
	if m.Position() != "1/4" {
		t.Fatalf("position = %q", m.Position())
	}
	m = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	if m.Cursor() != 3 || m.Position() != "4/4" {
		t.Fatalf("G: cursor %d position %q", m.Cursor(), m.Position())
	}
	m = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("g")})
	if m.Cursor() != 0 {
		t.Fatalf("g: cursor %d", m.Cursor())
	}
	m = m.SetFilter("MBED")
	lines := m.Lines()
	if m.Shown() != 2 || len(lines) != 2 || !strings.HasPrefix(lines[0], "> GO-1") || m.Position() != "1/2" {
		t.Fatalf("filtered: shown %d lines %q position %q", m.Shown(), lines, m.Position())
	}
	m = m.Update(tea.KeyMsg{Type: tea.KeyDown})
	if m.Cursor() != 2 {
		t.Fatalf("down in the filtered list selects item %d, want 2 (GO-3)", m.Cursor())
	}
	if m = m.Select(1); m.Cursor() != 2 {
		t.Fatalf("selecting a hidden item moved the cursor to %d", m.Cursor())
	}
	m = m.SetFilter("nothing matches")
	if m.Cursor() != -1 || m.Position() != "0/0" || len(m.Lines()) != 0 {
		t.Fatalf("empty filter result: cursor %d position %q lines %q", m.Cursor(), m.Position(), m.Lines())
	}
	m = m.SetFilter("")
	if m.Shown() != 4 {
		t.Fatalf("clearing the filter shows %d items", m.Shown())
	}
}
