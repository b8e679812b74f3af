package common

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestInterrupt(t *testing.T) {
	keys := DefaultKeyMap()
	back, other := tea.KeyMsg{Type: tea.KeyEsc}, tea.KeyMsg{Type: tea.KeyEnter}
	running, _ := Start(Common{Ctx: context.Background()}, Op{}, func(context.Context) (int, error) { return 0, nil })
	defer running.Cancel()
	cancelled := Problem{What: "cancelled", Next: "press r"}
	tests := []struct {
		name string
		k    tea.KeyMsg
		o    Op
		want bool
		// stillRunning: the call runs on after the key.
		stillRunning bool
	}{
		{"back while running cancels", back, running, true, false},
		{"back while idle is the page's", back, Op{}, false, false},
		{"another key while running is the page's", other, running, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			var p *Problem
			got := Interrupt(tt.k, keys, &o, &p, cancelled)
			if got != tt.want || o.Running() != tt.stillRunning || (p != nil) != tt.want {
				t.Fatalf("Interrupt = %v, running %v, problem %v", got, o.Running(), p)
			}
			if p != nil && *p != cancelled {
				t.Fatalf("problem = %+v", *p)
			}
		})
	}
}
