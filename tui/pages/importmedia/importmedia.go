// Package importmedia asks for the media path and imports a release
// request (or, for a policy change, a proposed policy) from it.
package importmedia

import (
	"context"
	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/pathform"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// RequestMsg: a release request was imported and verified.
type RequestMsg struct{ Request api.Request }

// PolicyMsg: a proposed policy was imported and verified.
type PolicyMsg struct{ Change api.PolicyChange }

// Model is the page.
type Model struct {
	c       common.Common
	policy  bool
	op      common.Op
	path    pathform.Model
	problem *common.Problem
}

// noPath is the problem when enter is pressed on an empty path.
var noPath = common.Problem{What: "no path given", Next: "type the path of the media directory, then press enter"}

// New builds the page; policy selects importing a policy file.
func New(c common.Common, policy bool) Model {
	return Model{c: c, policy: policy, path: pathform.New(c, "Path: ", c.Media, noPath)}
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Title implements common.Component.
func (m Model) Title() string {
	if m.policy {
		return "Import the proposed policy"
	}
	return "Import media"
}

// Typing implements common.Typer: the path takes typed keys.
func (m Model) Typing() bool { return !m.op.Running() }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.path = m.path.SetWidth(s.Width)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.op.Running() {
		return []key.Binding{common.With(k.Back, "cancel import")}
	}
	return []key.Binding{common.With(k.Enter, "import and verify"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.Request]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "check the media is inserted and the path is the directory holding request.json, then press enter to retry")
		if !ok {
			return m, nil
		}
		return m, common.Emit(RequestMsg{Request: v})
	case common.Result[api.PolicyChange]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "check the path names the proposed policy.yaml, then press enter to retry")
		if !ok {
			return m, nil
		}
		return m, common.Emit(PolicyMsg{Change: v})
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "the import was cancelled; nothing was imported", Next: "press enter to import again"}) {
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.BackMsg{})
	case m.op.Running():
		return m, nil
	case key.Matches(k, keys.Enter):
		return m.start()
	}
	var cmd tea.Cmd
	m.path, cmd = m.path.Update(k)
	return m, cmd
}

func (m Model) start() (common.Component, tea.Cmd) {
	path, p := m.path.Path()
	if p != nil {
		m.problem = p
		return m, nil
	}
	m.problem = nil
	eng := m.c.Engine
	var cmd tea.Cmd
	if m.policy {
		m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.PolicyChange, error) {
			return eng.ImportPolicy(ctx, path)
		})
	} else {
		m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Request, error) {
			return eng.ImportRequest(ctx, path)
		})
	}
	return m, cmd
}

// View implements common.Component.
func (m Model) View() string {
	what := "Insert the release media and give the directory that holds request.json."
	if m.policy {
		what = "Insert the media and give the path of the proposed policy.yaml."
	}
	lines := []string{
		what,
		"Nothing on the media is trusted until every file has been checked.",
		"",
		m.path.View(),
		"",
	}
	lines = append(lines, pathform.Status(m.c, m.op, "verifying and importing the media", m.problem)...)
	return m.c.Body(lines)
}
