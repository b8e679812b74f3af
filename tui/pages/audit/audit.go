// Package audit is the audit log viewer.
package audit

import (
	"context"
	"fmt"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/field"
	"signbox/tui/components/scroll"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
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
	query   string // entries shown contain it (ignoring case); "" shows all
	typing  bool   // the filter field has the keys
	filter  textinput.Model
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
		m.body = m.body.SetLines(entryLines(m.shown(), s.Width))
	}
	return m
}

// Typing implements common.Typer: the filter field takes printable keys.
func (m Model) Typing() bool { return m.typing }

// shown is the log's entries the filter lets through.
func (m Model) shown() []api.AuditEntry {
	if m.log == nil {
		return nil
	}
	if m.query == "" {
		return m.log.Entries
	}
	q := strings.ToLower(m.query)
	var out []api.AuditEntry
	for _, e := range m.log.Entries {
		if strings.Contains(strings.ToLower(fmt.Sprintf("%d %s %s %s", e.Seq, e.Time, e.Type, e.Summary)), q) {
			out = append(out, e)
		}
	}
	return out
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.typing {
		return []key.Binding{common.With(k.Enter, "keep this filter"), common.With(k.Back, "clear the filter")}
	}
	back := common.With(k.Back, "home")
	if m.query != "" {
		back = common.With(k.Back, "clear the filter")
	}
	return []key.Binding{k.Up, k.Down, common.With(k.Filter, "filter"), common.With(k.Refresh, "reload and verify"), back}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return common.FullHelpOf(append(m.ShortHelp(), common.With(k.Filter, "filter the entries"), k.Top, k.Bottom, common.With(k.PageDown, "page"), k.PageUp))
}

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.AuditLog]:
		l, ok := common.Settle(&m.op, &m.problem, msg, "the log could not be read; do not start a ceremony. Export it with signbox audit verify and follow the incident runbook")
		if !ok {
			return m, nil
		}
		m.log, m.problem = &l, nil
		m.body = m.body.SetLines(entryLines(m.shown(), m.c.Size.Width)).ToBottom()
	case tea.KeyMsg:
		if m.typing {
			return m.filterKey(msg)
		}
		switch {
		case key.Matches(msg, m.c.Keys.Back) && m.query != "":
			return m.setQuery(""), nil
		case key.Matches(msg, m.c.Keys.Filter) && m.log != nil:
			m.typing = true
			m.filter = field.New(m.c, "Filter: ", m.query, m.c.Size.Width)
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

// filterKey types into the filter; the entries follow as it is typed.
func (m Model) filterKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	switch {
	case key.Matches(k, m.c.Keys.Back):
		m.typing = false
		return m.setQuery(""), nil
	case key.Matches(k, m.c.Keys.Enter):
		m.typing = false
		return m, nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(k)
	return m.setQuery(m.filter.Value()), cmd
}

func (m Model) setQuery(q string) Model {
	m.query = q
	m.body = m.body.SetLines(entryLines(m.shown(), m.c.Size.Width)).ToBottom()
	return m
}

// entryLines shows every entry whole: an auditor compares these fields
// with the paper log, so a summary that does not fit the line continues,
// indented, on the next ones instead of being cut off.
func entryLines(entries []api.AuditEntry, width int) []string {
	const indent = "  " // narrow, so a field holding a SHA-256 fits 80 columns
	var out []string
	for _, e := range entries {
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
		head := fmt.Sprintf("%s  %d entries  %s", verdict, len(m.log.Entries), m.body.Position())
		if m.query != "" {
			head = fmt.Sprintf("%s  filter %q: %d of %d entries  %s", verdict, m.query, len(m.shown()), len(m.log.Entries), m.body.Position())
		}
		second := ""
		if m.typing {
			second = m.filter.View()
		}
		lines = append(lines, head, second)
		lines = append(lines, m.body.Lines()...)
	}
	lines = append(lines, s.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}
