package tui

import (
	"strings"
	"testing"

	"signbox/tui/tuitest"

	tea "github.com/charmbracelet/bubbletea"
)

// testOptions is a fixed configuration: ASCII renderer (New's default),
// fixed date and media path.
func testOptions() Options {
	return Options{Date: "2026-11-21", MediaPath: "/media/usb", Operator: "alice"}
}

// harness drives the root model synchronously: every command is run to
// completion and its message fed back, so tests are deterministic without
// sleeps.
type harness struct {
	t   testing.TB
	m   tea.Model
	eng *tuitest.Fake
}

func newHarness(t testing.TB, start Screen) *harness {
	t.Helper()
	opts := testOptions()
	opts.Start = start
	eng := tuitest.New()
	h := &harness{t: t, m: New(eng, opts), eng: eng}
	h.run(h.m.Init())
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return h
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	h.send(cmd())
}

// send feeds msg and everything it causes.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			h.t.Fatal("message loop did not settle")
		}
		msg, queue = queue[0], queue[1:]
		switch msg := msg.(type) {
		case nil, tea.QuitMsg:
			continue
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		}
		var cmd tea.Cmd
		h.m, cmd = h.m.Update(msg)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
}

// keys sends each key; named keys are "enter", "esc", "up", "down",
// "left", "right", "tab"; anything else is typed as runes.
func (h *harness) keys(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		if k == "readplan" { // page through the whole plan, then accept it
			for range 8 {
				h.send(keyMsg("pgdown"))
			}
			k = "enter"
		}
		h.send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "tab": tea.KeyTab, "ctrl+c": tea.KeyCtrlC,
		"backspace": tea.KeyBackspace, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (h *harness) view() string { return h.m.View() }

func (h *harness) mustSee(want string) {
	h.t.Helper()
	if v := h.view(); !strings.Contains(v, want) {
		h.t.Fatalf("screen does not show %q:\n%s", want, v)
	}
}
