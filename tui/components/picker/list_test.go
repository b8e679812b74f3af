package picker

import (
	"strings"
	"testing"

	"signbox/tui/common"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

func TestListSelectsTheMarkedRow(t *testing.T) {
	c := common.Common{Keys: common.DefaultKeyMap(), Styles: common.NewStyles(lipgloss.NewRenderer(nil)), Size: common.Size{Width: 40, Height: 10}}
	type row struct{ name string }
	l := NewList(c, 2, func(r row) string { return "row " + r.name })
	if _, ok := l.Selected(); ok || len(l.Lines()) != 0 {
		t.Fatalf("empty list selected something or drew %q", l.Lines())
	}
	l = l.SetRows([]row{{"a"}, {"b"}, {"c"}}).Update(tea.KeyMsg{Type: tea.KeyDown})
	got, ok := l.Selected()
	lines := l.Lines()
	if !ok || got.name != "b" || len(lines) != 2 || !strings.HasPrefix(lines[1], "> row b") {
		t.Fatalf("selected %v %v, lines %q", got, ok, lines)
	}
	if l = l.SetRows([]row{{"x"}}); len(l.Rows()) != 1 {
		t.Fatalf("rows = %v", l.Rows())
	}
	if got, _ := l.Selected(); got.name != "x" {
		t.Fatalf("cursor not kept in range: %v", got)
	}
}
