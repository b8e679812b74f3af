// Package rehearsal installs a bundle on the emulated device, reboots it
// and shows the boot trace; the operators then confirm or reject the new
// image exactly as a fielded device would.
package rehearsal

import (
	"context"
	"fmt"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/pathform"
	"signbox/tui/components/scroll"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// traceHeight is the trace's scrolling height, and the least it shows:
// at 80×24 it leaves room for the path, device, state, prompt and error
// lines. When they are absent the view shows more.
const traceHeight = 8

// Model is the page.
type Model struct {
	c          common.Common
	op         common.Op
	path       pathform.Model
	dev        *api.Rehearsal
	trace      scroll.Model
	confirming bool
	problem    *common.Problem
}

// noPath is the problem when enter is pressed on an empty path.
var noPath = common.Problem{What: "no bundle path given", Next: "type the path of an exported bundle, then press enter"}

// New builds the page with the bundle path prefilled.
func New(c common.Common, bundlePath string) Model {
	return Model{c: c, path: pathform.New(c, "Bundle: ", bundlePath, noPath), trace: scroll.New(c, nil, traceHeight)}
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Title implements common.Component.
func (m Model) Title() string { return "Device rehearsal" }

// Typing implements common.Typer: the bundle path takes typed keys, but
// for c and x while an image awaits confirmation.
func (m Model) Typing() bool { return !m.op.Running() && !m.confirming }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.path = m.path.SetWidth(s.Width)
	m.trace = m.trace.SetWidth(s.Width)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.op.Running():
		return []key.Binding{common.With(k.Back, "cancel")}
	case m.confirming:
		return []key.Binding{common.With(k.Yes, "burn the emulated eFuse"), common.With(k.No, "not yet")}
	case m.dev != nil && m.dev.AwaitingConfirm:
		return []key.Binding{k.Up, k.Down, common.With(k.Confirm, "confirm image"), common.With(k.Reject, "reject and roll back"), common.With(k.Back, "home")}
	}
	return []key.Binding{common.With(k.Enter, "install and boot"), k.Up, k.Down, common.With(k.Back, "home")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.Rehearsal]:
		d, ok := common.Settle(&m.op, &m.problem, msg, "the device refused it, which is what a fielded device would do; do not ship this bundle, record the trace and follow the runbook")
		if !ok {
			return m, nil
		}
		m.dev, m.problem = &d, nil
		var trace []string
		for _, l := range d.Trace {
			trace = append(trace, common.WrapIndent(l, m.c.Size.Width, "", "    ")...)
		}
		m.trace = m.trace.SetLines(trace).ToBottom()
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "cancelled; the emulated device may have been interrupted mid-write, like a power cut", Next: "press enter to install again and watch it recover"}) {
		return m, nil
	}
	switch {
	case m.op.Running():
	case m.confirming:
		return m.confirmKey(k)
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.HomeMsg{})
	case k.Type == tea.KeyUp || k.Type == tea.KeyDown || k.Type == tea.KeyPgUp || k.Type == tea.KeyPgDown:
		m.trace = m.trace.Update(k)
	case m.dev != nil && m.dev.AwaitingConfirm && key.Matches(k, keys.Confirm):
		m.confirming = true
	case m.dev != nil && m.dev.AwaitingConfirm && key.Matches(k, keys.Reject):
		return m.finish(false)
	case key.Matches(k, keys.Enter):
		return m.install()
	default:
		var cmd tea.Cmd
		m.path, cmd = m.path.Update(k)
		return m, cmd
	}
	return m, nil
}

func (m Model) confirmKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	yes, answered := common.Answer(k, m.c.Keys)
	if !answered {
		return m, nil
	}
	m.confirming = false
	if !yes {
		return m, nil
	}
	return m.finish(true)
}

func (m Model) install() (common.Component, tea.Cmd) {
	path, p := m.path.Path()
	if p != nil {
		m.problem = p
		return m, nil
	}
	eng := m.c.Engine
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Rehearsal, error) {
		return eng.Rehearse(ctx, path)
	})
	m.problem = nil
	return m, cmd
}

func (m Model) finish(confirm bool) (common.Component, tea.Cmd) {
	eng := m.c.Engine
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Rehearsal, error) {
		return eng.FinishRehearsal(ctx, confirm)
	})
	return m, cmd
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	head := []string{m.path.View()}
	var foot []string
	d := m.dev
	if d != nil {
		// The state and the eFuse value get a line of their own: a long
		// device path must never push them off the screen.
		head = append(head,
			"Device  "+d.Device,
			fmt.Sprintf("State   %s  eFuse secure version %s", s.Bold.Render(d.State), s.Bold.Render(fmt.Sprint(d.SecureVersion))),
			"Running "+d.Running)
		if d.AwaitingConfirm && !m.confirming {
			foot = append(foot, "", "The new image is on trial. Press c to confirm it or x to reject it.")
		}
	} else {
		head = append(head, "", "Installs the bundle on the emulated device exactly as the updater would,",
			"then reboots it and shows the boot trace.")
	}
	if m.confirming {
		foot = append(foot, "", s.Warn.Render("Confirming raises the emulated eFuse secure version; it cannot be lowered."),
			s.Bold.Render("Press y to confirm, n to wait."))
	}
	foot = append(foot, pathform.Status(m.c, m.op, "talking to the emulated device", m.problem)...)
	lines := head
	if d != nil {
		// The trace takes whatever the other lines leave, so the whole
		// boot, from the ROM's first check, shows when it fits.
		tr := m.trace.SetHeight(max(m.c.Size.Height-len(head)-len(foot)-1, traceHeight))
		lines = append(lines, s.Subtle.Render("Boot trace "+tr.Position()))
		lines = append(lines, tr.Lines()...)
	}
	lines = append(lines, foot...)
	return m.c.Body(lines)
}
