// Package export writes the ceremony's outputs to removable media after
// a confirmation, and reports the bundle and the audit checkpoint.
package export

import (
	"context"
	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/pathform"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// DoneMsg: the bundle is on the media and verified.
type DoneMsg struct{ Export api.Export }

// Model is the page.
type Model struct {
	c          common.Common
	planID     string
	op         common.Op
	path       pathform.Model
	confirming bool
	problem    *common.Problem
}

// noPath is the problem when enter is pressed on an empty path.
var noPath = common.Problem{What: "no media path given", Next: "type the directory of the mounted media, then press enter"}

// New builds the page.
func New(c common.Common, planID string) Model {
	return Model{c: c, planID: planID, path: pathform.New(c, "Media path: ", c.Out, noPath)}
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Title implements common.Component.
func (m Model) Title() string { return "Export to media" }

// Typing implements common.Typer: the media path takes typed keys.
func (m Model) Typing() bool { return !m.op.Running() && !m.confirming }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.path = m.path.SetWidth(s.Width)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.op.Running():
		return []key.Binding{common.With(k.Back, "cancel")}
	case m.confirming:
		return []key.Binding{common.With(k.Yes, "write it"), common.With(k.No, "change the path")}
	}
	return []key.Binding{common.With(k.Enter, "export"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.Export]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "check the media is writable and has room, or use another directory; press enter to export again")
		if !ok {
			return m, nil
		}
		return m, common.Emit(DoneMsg{Export: v})
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "the export was cancelled; a partial copy is never left behind", Next: "press enter to export again"}) {
		return m, nil
	}
	switch {
	case m.op.Running():
	case m.confirming:
		return m.confirmKey(k)
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.BackMsg{})
	case key.Matches(k, keys.Enter):
		if _, p := m.path.Path(); p != nil {
			m.problem = p
			return m, nil
		}
		m.confirming, m.problem = true, nil
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
	eng, id, path := m.c.Engine, m.planID, m.path.Value()
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Export, error) {
		return eng.Export(ctx, id, path)
	})
	return m, cmd
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	lines := []string{
		"Insert the outbound media. The bundle is written to a new directory,",
		"read back and verified; nothing existing is overwritten.",
		"",
		m.path.View(),
		"",
	}
	if m.confirming {
		for _, l := range common.Wrap("Write the bundle to "+m.path.Value()+" and close the ceremony?", m.c.Size.Width) {
			lines = append(lines, s.Warn.Render(l))
		}
		lines = append(lines, s.Bold.Render("Press y to write, n to change the path."))
	}
	lines = append(lines, pathform.Status(m.c, m.op, "writing and verifying the bundle", m.problem)...)
	return m.c.Body(lines)
}
