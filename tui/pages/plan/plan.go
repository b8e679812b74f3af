// Package plan shows the canonical plan and its digest, in hex groups and
// as words, for the custodians to read aloud and compare.
package plan

import (
	"context"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/scroll"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// AcceptedMsg: the digest was read aloud and matched; go to approvals.
type AcceptedMsg struct{ Plan api.Plan }

// BuiltMsg: the engine built (and recorded) the plan. The ceremony now
// exists on disk: leaving it keeps it resumable or records an abort.
type BuiltMsg struct{ Plan api.Plan }

// Model is the page.
type Model struct {
	c       common.Common
	req     api.PlanRequest
	op      common.Op
	init    tea.Cmd // the first load, started by New
	plan    *api.Plan
	body    scroll.Model
	problem *common.Problem
}

// New builds the page for a plan request.
func New(c common.Common, req api.PlanRequest) Model {
	m := Model{c: c, req: req, body: scroll.NewPage(c, nil, 2)}
	m, m.init = m.load()
	return m
}

// Init builds the plan.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng, req := m.c.Engine, m.req
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Plan, error) {
		return eng.Plan(ctx, req)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Plan review" }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.body = m.body.Fit(s)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Up, k.Down, common.With(k.Enter, "digest matches"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.Plan]:
		p, ok := common.Settle(&m.op, &m.problem, msg, "the plan could not be built; fix what the error names, then press r to build it again")
		if !ok {
			return m, nil
		}
		m.plan, m.problem = &p, nil
		m.body = m.body.SetLines(planLines(m.c, p))
		return m, common.Emit(BuiltMsg{Plan: p})
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "building the plan was cancelled", Next: "press r to build it again"}) {
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.BackMsg{})
	case m.op.Running():
	case key.Matches(k, keys.Refresh):
		m.problem = nil
		return m.load()
	case key.Matches(k, keys.Enter) && m.plan != nil:
		return m, common.Emit(AcceptedMsg{Plan: *m.plan})
	default:
		m.body = m.body.Update(k)
	}
	return m, nil
}

func planLines(c common.Common, p api.Plan) []string {
	s := c.Styles
	lines := []string{s.Bold.Render("Plan digest") + " (SHA-256, read aloud group by group):"}
	for _, row := range common.HexGroups(p.Digest, 8) {
		lines = append(lines, "  "+s.Digest.Render(row))
	}
	lines = append(lines, s.Bold.Render("Words:"))
	for _, l := range common.Wrap(strings.Join(p.Words, " "), c.Size.Width-2) {
		lines = append(lines, "  "+s.Digest.Render(l))
	}
	lines = append(lines, "", s.Bold.Render("The plan"))
	for _, l := range p.Lines {
		lines = append(lines, common.WrapIndent(l, c.Size.Width, "  ", "      ")...)
	}
	return lines
}

// View implements common.Component.
func (m Model) View() string {
	var lines []string
	if m.op.Running() {
		lines = append(lines, m.c.Busy("building the canonical plan"))
	}
	if m.plan != nil {
		lines = append(lines, m.body.Lines()...)
		lines = append(lines, m.c.Styles.Subtle.Render("Each custodian reads the digest on their own screen. "+m.body.Position()))
	}
	lines = append(lines, m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}
