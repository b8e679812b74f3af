// Package choose lists the ceremony kinds the policy allows.
package choose

import (
	"context"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/picker"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// ChosenMsg: start a ceremony of this kind.
type ChosenMsg struct{ Kind api.Kind }

// Model is the page.
type Model struct {
	c       common.Common
	op      common.Op
	init    tea.Cmd // the first load, started by New
	list    picker.List[api.CeremonyKind]
	problem *common.Problem
}

// New builds the page.
func New(c common.Common) Model {
	m := Model{c: c, list: picker.NewList(c, 8, kindLine)}
	m, m.init = m.load()
	return m
}

// Init loads the kinds.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng := m.c.Engine
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) ([]api.CeremonyKind, error) {
		return eng.Kinds(ctx)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Choose a ceremony" }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.list = m.list.SetWidth(s.Width)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Up, k.Down, common.With(k.Enter, "start"), common.With(k.Back, "home")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[[]api.CeremonyKind]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "check the policy in the workspace, then press esc and try again")
		if !ok {
			return m, nil
		}
		m.list = m.list.SetRows(v)
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func kindLine(k api.CeremonyKind) string {
	line := common.Pad(k.Title, 24) + " " + k.Quorum
	if !k.Available {
		line += "  (unavailable)"
	}
	return line
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	switch {
	case key.Matches(k, keys.Back):
		if m.op.Running() {
			m.op = m.op.Cancel()
		}
		return m, common.Emit(common.HomeMsg{})
	case key.Matches(k, keys.Enter):
		kind, ok := m.list.Selected()
		if !ok {
			return m, nil
		}
		if !kind.Available {
			m.problem = &common.Problem{What: kind.Title + " is not available: " + kind.Reason, Next: "choose another ceremony or fix the policy first"}
			return m, nil
		}
		return m, common.Emit(ChosenMsg{Kind: kind.Kind})
	}
	m.list, m.problem = m.list.Update(k), nil
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	var lines []string
	if m.op.Running() {
		lines = append(lines, m.c.Busy("reading the policy"))
	}
	lines = append(lines, m.list.Lines()...)
	if k, ok := m.list.Selected(); ok {
		lines = append(lines, "")
		lines = append(lines, common.Wrap(k.Summary, m.c.Size.Width)...)
		if !k.Available {
			lines = append(lines, m.c.Styles.Warn.Render("Unavailable: ")+k.Reason)
		}
	}
	if m.problem != nil {
		lines = append(lines, "")
		lines = append(lines, m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)...)
	}
	return m.c.Body(lines)
}
