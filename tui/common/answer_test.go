package common

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestAnswer(t *testing.T) {
	keys := DefaultKeyMap()
	tests := []struct {
		name          string
		k             tea.KeyMsg
		yes, answered bool
	}{
		{"y says yes", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")}, true, true},
		{"n says no", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")}, false, true},
		{"esc says no", tea.KeyMsg{Type: tea.KeyEsc}, false, true},
		{"another key leaves it open", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yes, answered := Answer(tt.k, keys)
			if yes != tt.yes || answered != tt.answered {
				t.Fatalf("Answer = %v, %v", yes, answered)
			}
		})
	}
}
