package scroll

import (
	"fmt"
	"testing"

	"signbox/tui/common"

	tea "github.com/charmbracelet/bubbletea"
)

func TestPageFitsBodyLessReserved(t *testing.T) {
	c := common.Common{Keys: common.DefaultKeyMap(), Size: common.Size{Width: 40, Height: 10}}
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	m := NewPage(c, lines, 3)
	if n := len(m.Lines()); n != 7 {
		t.Fatalf("at height 10 with 3 reserved: %d lines shown, want 7", n)
	}
	m = m.Fit(common.Size{Width: 40, Height: 20})
	if n := len(m.Lines()); n != 17 {
		t.Fatalf("after Fit to height 20: %d lines shown, want 17", n)
	}
	if got := m.Position(); got != "lines 1-17 of 30" {
		t.Fatalf("Position = %q", got)
	}
}

func TestTopAndBottom(t *testing.T) {
	c := common.Common{Keys: common.DefaultKeyMap(), Size: common.Size{Width: 40, Height: 10}}
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	m := New(c, lines, 10).Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	if got := m.Position(); got != "lines 21-30 of 30" || !m.AtBottom() {
		t.Fatalf("G: %q", got)
	}
	if got := m.Update(tea.KeyMsg{Type: tea.KeyHome}).Position(); got != "lines 1-10 of 30" {
		t.Fatalf("home: %q", got)
	}
}
