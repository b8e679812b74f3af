// Package audit is the audit log viewer.
package audit

import (
	"context"
	"fmt"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/scroll"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Model is the page.
type Model struct {
	c       common.Common
	op      common.Op
	init    tea.Cmd // the first load, started by New
	log     *api.AuditLog
	body    scroll.Model
	problem *common.Problem
}

// New builds the page.
func New(c common.Common) Model {
	m := Model{c: c, body: scroll.NewPage(c, nil, 3)}
	m, m.init = m.load()
	return m
}

// Init loads the log.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng := m.c.Engine
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.AuditLog, error) {
		return eng.AuditLog(ctx)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Audit log" }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.body = m.body.Fit(s)
	if m.log != nil {
		m.body = m.body.SetLines(entryLines(*m.log, s.Width))
	}
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Up, k.Down, common.With(k.PageDown, "page"), common.With(k.Refresh, "reload and verify"), common.With(k.Back, "home")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.AuditLog]:
		l, ok := common.Settle(&m.op, &m.problem, msg, "the log could not be read; do not start a ceremony. Export it with signbox audit verify and follow the incident runbook")
		if !ok {
			return m, nil
		}
		m.log, m.problem = &l, nil
		m.body = m.body.SetLines(entryLines(l, m.c.Size.Width)).ToBottom()
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.c.Keys.Back) && m.op.Running():
			m.op = m.op.Cancel()
		case key.Matches(msg, m.c.Keys.Back):
			return m, common.Emit(common.HomeMsg{})
		case key.Matches(msg, m.c.Keys.Refresh):
			return m.load()
		default:
			m.body = m.body.Update(msg)
		}
	}
	return m, nil
}

// entryLines shows every entry whole: an auditor compares these fields
// with the paper log, so a summary that does not fit the line continues,
// indented, on the next ones instead of being cut off.
func entryLines(l api.AuditLog, width int) []string {
	const indent = "  " // narrow, so a field holding a SHA-256 fits 80 columns
	var out []string
	for _, e := range l.Entries {
		head := fmt.Sprintf("%5d %s %s", e.Seq, e.Time, common.Pad(e.Type, 20))
		line := head + " " + e.Summary
		if len([]rune(line)) <= width {
			out = append(out, line)
			continue
		}
		out = append(out, head)
		out = append(out, common.WrapIndent(e.Summary, width, indent, indent)...)
	}
	return out
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	var lines []string
	if m.op.Running() {
		lines = append(lines, m.c.Busy("reading and verifying the audit log"))
	}
	if m.log != nil {
		verdict := s.OK.Render("Verified: " + m.log.Verdict)
		if m.log.Verdict != "ok" {
			verdict = s.Warn.Render("Verdict: " + m.log.Verdict)
		}
		lines = append(lines, fmt.Sprintf("%s  %d entries  %s", verdict, len(m.log.Entries), m.body.Position()), "")
		lines = append(lines, m.body.Lines()...)
	}
	lines = append(lines, s.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}
