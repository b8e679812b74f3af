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
