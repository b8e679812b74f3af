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
	if v := m.View(); v != Mask+"_" || strings.Contains(v, "4711") {
		t.Fatalf("View = %q", v)
	}
	buf := m.pin
	m, pin := m.Take()
	if string(pin) != "4711" {
		t.Fatalf("Take = %q", pin)
	}
	if !m.Empty() || !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Fatalf("field not wiped after Take: %q", buf)
	}
	Zero(pin)
	if !bytes.Equal(pin, make([]byte, 4)) {
		t.Fatal("Zero left bytes")
	}
}

// TestViewHidesLength: the view is the same for every PIN length, and
// only empty differs from typed.
func TestViewHidesLength(t *testing.T) {
	if v := (Model{}).View(); v != "_" {
		t.Fatalf("empty View = %q", v)
	}
	want := typed("1").View()
	for _, pin := range []string{"12", "1234", "12345678", strings.Repeat("9", maxPIN)} {
		if v := typed(pin).View(); v != want {
			t.Fatalf("View of %d bytes = %q, of 1 byte %q", len(pin), v, want)
		}
	}
}

// TestNoOutgrownCopies: the buffer never moves while the PIN is typed, so
// Take and Clear wipe the only copy the field ever had.
func TestNoOutgrownCopies(t *testing.T) {
	m := typed("1")
	first := &m.pin[:1][0]
	for range maxPIN + 5 {
		m = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'7'}})
	}
	if &m.pin[0] != first {
		t.Fatal("the PIN buffer was reallocated while typing")
	}
}

func TestBackspaceWipes(t *testing.T) {
	m := typed("12")
	buf := m.pin[:2]
	m = m.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	if len(m.pin) != 1 || buf[1] != 0 {
		t.Fatalf("backspace left %q", buf)
	}
	m = m.Clear()
	if !m.Empty() || buf[0] != 0 {
		t.Fatal("Clear did not wipe")
	}
}

func TestLimit(t *testing.T) {
	if m := typed(strings.Repeat("9", maxPIN+10)); len(m.pin) != maxPIN {
		t.Fatalf("len = %d, want %d", len(m.pin), maxPIN)
	}
}

func TestPastedPINLosesItsNewline(t *testing.T) {
	for _, paste := range []string{"4711\n", "4711\r\n", "4711"} {
		m := Model{}.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(paste), Paste: true})
		_, pin := m.Take()
		if string(pin) != "4711" {
			t.Errorf("pasting %q gave PIN %q", paste, pin)
		}
	}
	if m := (Model{}).Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("\n"), Paste: true}); !m.Empty() {
		t.Error("a pasted bare newline typed something")
	}
}
