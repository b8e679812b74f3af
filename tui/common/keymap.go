package common

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the TUI binds. Pages pick the ones they use for
// their help line; the runbooks quote these help texts.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	Left     key.Binding
	Right    key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Enter    key.Binding
	Back     key.Binding
	Quit     key.Binding
	ForceQ   key.Binding
	Yes      key.Binding
	No       key.Binding
	Refresh  key.Binding
	Audit    key.Binding
	Device   key.Binding
	Continue key.Binding
	Tab      key.Binding
	Confirm  key.Binding
	Reject   key.Binding
	Space    key.Binding
	Help     key.Binding
	Keep     key.Binding
	Abort    key.Binding
	Open     key.Binding
	Filter   key.Binding
	Top      key.Binding
	Bottom   key.Binding
}

// DefaultKeyMap is the ceremony-room layout: arrows or vi keys, enter to
// go on, esc to go back or cancel.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		Left:     b("←/→", "change", "left"),
		Right:    b("→", "next", "right"),
		PageUp:   b("pgup", "page up", "pgup"),
		PageDown: b("pgdn", "page down", "pgdown", " "),
		Enter:    b("enter", "select", "enter"),
		Back:     b("esc", "back", "esc"),
		Quit:     b("q", "quit", "q"),
		ForceQ:   b("ctrl+c", "quit", "ctrl+c"),
		Yes:      b("y", "yes", "y"),
		No:       b("n", "no", "n"),
		Refresh:  b("r", "refresh", "r"),
		Audit:    b("a", "audit log", "a"),
		Device:   b("d", "device rehearsal", "d"),
		Continue: b("c", "continue", "c"),
		Tab:      b("tab", "next field", "tab", "shift+tab"),
		Confirm:  b("c", "confirm", "c"),
		Reject:   b("x", "reject", "x"),
		Space:    b("space", "toggle", " "),
		Help:     b("?", "help", "?", "f1"),
		Keep:     b("k", "keep for later", "k"),
		Abort:    b("x", "abort (recorded)", "x"),
		Open:     b("u", "unfinished ceremonies", "u"),
		Filter:   b("/", "filter", "/"),
		Top:      b("g", "top", "g", "home"),
		Bottom:   b("G", "bottom", "G", "end"),
	}
}

// With returns b with its help text replaced, for pages where a key means
// something more specific ("enter: import").
func With(b key.Binding, desc string) key.Binding {
	h := b.Help()
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(h.Key, desc))
}
