// Package verify shows the independent checks of what the ceremony
// produced; export is offered only when every check passed.
package verify

import (
	"context"

	"signbox/tui/api"
	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// DoneMsg: every check passed; go on to export.
type DoneMsg struct{}

// Model is the page.
type Model struct {
	c       common.Common
	planID  string
	op      common.Op
	init    tea.Cmd // the first load, started by New
	checks  []api.Check
	problem *common.Problem
}

// New builds the page.
func New(c common.Common, planID string) Model {
	m := Model{c: c, planID: planID}
	m, m.init = m.load()
	return m
}

// Init runs the checks.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng, id := m.c.Engine, m.planID
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) ([]api.Check, error) {
		return eng.Verify(ctx, id)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Verification results" }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component { m.c.Size = s; return m }

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.allOK() {
		return []key.Binding{common.With(k.Enter, "export to media"), common.With(k.Refresh, "verify again"), common.With(k.Back, "leave ceremony")}
	}
	return []key.Binding{common.With(k.Refresh, "verify again"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

func (m Model) allOK() bool {
	if m.op.Running() || len(m.checks) == 0 {
		return false
	}
	for _, c := range m.checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[[]api.Check]:
		if !m.op.Owns(msg.Tag) {
			return m, nil
		}
		m.op = m.op.Done()
		m.checks, m.problem = msg.Value, nil
		if msg.Err != nil {
			m.problem = common.NewProblem(msg.Err, "press r to verify again; if it fails again do not export, leave the ceremony and follow the incident runbook")
		}
	case tea.KeyMsg:
		k, keys := msg, m.c.Keys
		if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "verification was cancelled", Next: "press r to verify again"}) {
			return m, nil
		}
		switch {
		case key.Matches(k, keys.Back):
			return m, common.Emit(common.BackMsg{})
		case key.Matches(k, keys.Refresh):
			return m.load()
		case key.Matches(k, keys.Enter) && m.allOK():
			return m, common.Emit(DoneMsg{})
		}
	}
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	var lines []string
	if m.op.Running() {
		lines = append(lines, m.c.Busy("verifying every output against the pinned keys"))
	}
	for _, c := range m.checks {
		lines = append(lines, checkLines(s, c, m.c.Size.Width)...)
	}
	switch {
	case m.allOK():
		lines = append(lines, "", s.OK.Render("All checks passed.")+" Press enter to export.")
	case len(m.checks) > 0 && !m.op.Running():
		lines = append(lines, "", s.Error.Render("A check FAILED. Do not export."),
			"Leave the ceremony (esc), record it in the paper log and follow the incident runbook.")
	}
	lines = append(lines, s.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}

// checkLines shows one check whole: a custodian must be able to read what
// was verified, so a long check wraps under its mark instead of being cut.
func checkLines(s common.Styles, c api.Check, width int) []string {
	const indent = "       " // as wide as "[ OK ] "
	text := common.Pad(c.Name, 32) + " " + c.Detail
	if len([]rune(indent+text)) <= width {
		return []string{s.Mark(c.OK) + " " + text}
	}
	lines := common.Wrap(c.Name+" "+c.Detail, width-len(indent))
	for i := range lines {
		if i == 0 {
			lines[i] = s.Mark(c.OK) + " " + lines[i]
		} else {
			lines[i] = indent + lines[i]
		}
	}
	return lines
}
