package pinfield

import (
	"bytes"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func typed(s string) Model {
	var m Model
	for _, r := range s {
		m = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

func TestMaskedAndTaken(t *testing.T) {
	m := typed("4711")
	if v := m.View(); v != "****_" || strings.Contains(v, "4711") {
		t.Fatalf("View = %q", v)
	}
	buf := m.pin
	m, pin := m.Take()
	if string(pin) != "4711" {
		t.Fatalf("Take = %q", pin)
	}
	if m.Len() != 0 || !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Fatalf("field not wiped after Take: %q", buf)
	}
	Zero(pin)
	if !bytes.Equal(pin, make([]byte, 4)) {
		t.Fatal("Zero left bytes")
	}
}

func TestBackspaceWipes(t *testing.T) {
	m := typed("12")
	buf := m.pin[:2]
	m = m.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	if m.Len() != 1 || buf[1] != 0 {
		t.Fatalf("backspace left %q", buf)
	}
	m = m.Clear()
	if m.Len() != 0 || buf[0] != 0 {
		t.Fatal("Clear did not wipe")
	}
}

func TestLimit(t *testing.T) {
	if m := typed(strings.Repeat("9", maxPIN+10)); m.Len() != maxPIN {
		t.Fatalf("Len = %d, want %d", m.Len(), maxPIN)
	}
}
