package common

import (
	"context"

	"signbox/tui/api"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// Common is handed to every page. It is a value: pages copy it, and
// nothing in it is written after the program starts.
type Common struct {
	Ctx    context.Context // parent of every call's context
	Engine api.Engine
	Styles Styles
	Keys   KeyMap
	Size   Size   // the page body size
	Page   int    // this page instance's id, stamped on its async results
	Date   string // ceremony date confirmed by the operators
	Media  string // default inbound media path (imports)
	Out    string // default outbound media path (exports)
	Who    string // default operator name for decisions
}

// Component is one page: a tea model over a Component value, with a
// title for the header, a size and the keys for its help line.
type Component interface {
	help.KeyMap
	Init() tea.Cmd
	Update(msg tea.Msg) (Component, tea.Cmd)
	View() string
	Title() string
	SetSize(s Size) Component
}

// Typer is implemented by pages that can have a text field focused (a
// path, a PIN, a reason). While Typing, printable keys such as "?" belong
// to the field: the root opens its help overlay on f1 only.
type Typer interface {
	Typing() bool
}

// Typing reports whether page p has a text field focused.
func Typing(p Component) bool {
	t, ok := p.(Typer)
	return ok && t.Typing()
}

// KindTitle names a ceremony kind for people.
func KindTitle(k api.Kind) string {
	switch k {
	case api.KindKeyGen:
		return "Key generation"
	case api.KindRevocation:
		return "Key revocation"
	case api.KindPolicyChange:
		return "Policy change"
	}
	return "Release signing"
}

// Emit returns a command that yields msg, for pages reporting a result.
func Emit(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return msg }
}

// BackMsg asks the root to leave the current page (esc at its top level).
type BackMsg struct{}

// HomeMsg asks the root to go to the status screen.
type HomeMsg struct{}

// Busier is implemented by pages that run engine calls.
type Busier interface{ Busy() bool }

// Busy reports whether page p has an engine call in flight.
func Busy(p Component) bool {
	b, ok := p.(Busier)
	return ok && b.Busy()
}

// Holder is implemented by pages whose work must not be cut short (the
// genesis ceremony, which cannot be undone halfway): while Holds, ctrl+c
// does not quit.
type Holder interface{ Holds() bool }

// Holds reports whether page p is doing work that must finish.
func Holds(p Component) bool {
	h, ok := p.(Holder)
	return ok && h.Holds()
}
