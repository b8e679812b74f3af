package pathform

import (
	"io"
	"testing"

	"signbox/tui/common"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

func testCommon() common.Common {
	return common.Common{Styles: common.NewStyles(lipgloss.NewRenderer(io.Discard)), Keys: common.DefaultKeyMap(), Size: common.DefaultSize()}
}

func TestPath(t *testing.T) {
	empty := common.Problem{What: "no path given", Next: "type one"}
	tests := []struct {
		name, value, want string
		wantProblem       bool
	}{
		{"empty is refused", "", "", true},
		{"blanks are refused", "   ", "", true},
		{"surrounding blanks are trimmed", "  /media/usb ", "/media/usb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p := New(testCommon(), "Path: ", tt.value, empty).Path()
			if got != tt.want || (p != nil) != tt.wantProblem {
				t.Fatalf("Path() = %q, %v", got, p)
			}
			if p != nil && *p != empty {
				t.Fatalf("problem = %+v, want %+v", *p, empty)
			}
		})
	}
}

func TestProblemIsACopy(t *testing.T) {
	m := New(testCommon(), "Path: ", "", common.Problem{What: "no path given"})
	_, p := m.Path()
	p.What = "changed"
	if _, again := m.Path(); again.What != "no path given" {
		t.Fatalf("the field's problem was changed through a returned pointer: %q", again.What)
	}
}

func TestTypingAndWidth(t *testing.T) {
	m := New(testCommon(), "Bundle: ", "/b", common.Problem{})
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	if m.Value() != "/bx" {
		t.Fatalf("Value = %q", m.Value())
	}
	if w := m.SetWidth(80).input.Width; w != 70 {
		t.Fatalf("width at 80 columns = %d, want 70", w)
	}
	if w := m.SetWidth(12).input.Width; w != 10 {
		t.Fatalf("width at 12 columns = %d, want the floor 10", w)
	}
}
