// Package unfinished lists the ceremonies that were planned but neither
// exported nor aborted, and resumes one or aborts it (recorded, with a
// reason the operators confirm).
package unfinished

import (
	"context"
	"fmt"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/picker"
	"signbox/tui/components/reason"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// ResumeMsg: go on with this ceremony. Signed: it has signed already and
// only the export is left.
type ResumeMsg struct {
	Plan   api.Plan
	Signed bool
}

// aborted is the result of recording an abort.
type aborted struct{ id string }

// listHeight is how many ceremonies show at once; the rest scroll.
const listHeight = 8

// Model is the page.
type Model struct {
	c       common.Common
	op      common.Op
	init    tea.Cmd // the first load, started by New
	loaded  bool
	list    picker.List[api.Unfinished]
	abort   *reason.Model // non-nil while confirming an abort
	pending api.Unfinished
	problem *common.Problem
	note    string
}

// New builds the page.
func New(c common.Common) Model {
	m := Model{c: c}
	m.list = picker.NewList(c, listHeight, func(u api.Unfinished) string { return row(u) })
	m, m.init = m.load()
	return m
}

// Init loads the list.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng := m.c.Engine
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) ([]api.Unfinished, error) {
		return eng.Unfinished(ctx)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Unfinished ceremonies" }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.list = m.list.SetWidth(s.Width)
	if m.abort != nil {
		r := m.abort.SetWidth(s.Width)
		m.abort = &r
	}
	return m
}

// Typing implements common.Typer: the reason field takes every key.
func (m Model) Typing() bool { return m.abort != nil }

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.op.Running():
		return []key.Binding{common.With(k.Back, "cancel")}
	case m.abort != nil:
		return []key.Binding{common.With(k.Enter, "record the abort"), common.With(k.Back, "keep it")}
	}
	return []key.Binding{k.Up, k.Down, common.With(k.Enter, "resume"), k.Abort, common.With(k.Back, "home")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding {
	if m.abort != nil || m.op.Running() {
		return common.FullHelpOf(m.ShortHelp())
	}
	return common.FullHelpOf(append(m.ShortHelp(), m.c.Keys.Top, m.c.Keys.Bottom, common.With(m.c.Keys.Refresh, "reload")))
}

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[[]api.Unfinished]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "press r to read the list again")
		if !ok {
			return m, nil
		}
		m.loaded = true
		m.list = m.list.SetRows(v)
	case common.Result[api.Plan]:
		p, ok := common.Settle(&m.op, &m.problem, msg, "press r to reload the list; abort the ceremony if it cannot be resumed")
		if !ok {
			return m, nil
		}
		return m, common.Emit(ResumeMsg{Plan: p, Signed: m.pending.Signed})
	case common.Result[aborted]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "press x to try again, or write the abort in the paper log")
		if !ok {
			return m, nil
		}
		m.note = "Ceremony " + v.id + " aborted; the abort is recorded in the audit log."
		return m.load()
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "cancelled; the ceremony is as it was", Next: "press r to reload the list"}) {
		return m, nil
	}
	if m.op.Running() {
		return m, nil
	}
	if m.abort != nil {
		return m.reasonKey(k)
	}
	u, ok := m.list.Selected()
	switch {
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.HomeMsg{})
	case key.Matches(k, keys.Refresh):
		m.problem, m.note = nil, ""
		return m.load()
	case key.Matches(k, keys.Enter) && ok:
		m.pending, m.problem, m.note = u, nil, ""
		eng, id := m.c.Engine, u.ID
		var cmd tea.Cmd
		m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Plan, error) {
			return eng.Resume(ctx, id)
		})
		return m, cmd
	case key.Matches(k, keys.Abort) && ok:
		r := reason.New(m.c, "not resumed; aborted from the list of unfinished ceremonies")
		m.abort, m.pending, m.problem, m.note = &r, u, nil, ""
		return m, nil
	}
	m.list = m.list.Update(k)
	return m, nil
}

func (m Model) reasonKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	switch {
	case key.Matches(k, m.c.Keys.Back):
		m.abort, m.problem = nil, nil
		return m, nil
	case key.Matches(k, m.c.Keys.Enter):
		if p := m.abort.Problem(); p != nil {
			m.problem = p
			return m, nil
		}
		eng, id, why := m.c.Engine, m.pending.ID, m.abort.Value()
		m.abort, m.problem = nil, nil
		var cmd tea.Cmd
		m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (aborted, error) {
			return aborted{id: id}, eng.Abort(ctx, id, why)
		})
		return m, cmd
	}
	r, cmd := m.abort.Update(k)
	m.abort = &r
	return m, cmd
}

// row is one ceremony in the list: id, kind, date, step, approvals.
func row(u api.Unfinished) string {
	return fmt.Sprintf("%s  %s  %s  %s  %d of %d approvals", common.Pad(u.ID, 14), common.Pad(common.KindTitle(u.Kind), 15),
		u.Date, common.Pad(u.Step, 8), u.Quorum.Have, u.Quorum.Need)
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	var lines []string
	rows := m.list.Rows()
	switch {
	case m.loaded && len(rows) == 0:
		lines = append(lines, "No unfinished ceremonies: every ceremony was exported or aborted.")
	case m.loaded:
		lines = append(lines, fmt.Sprintf("Planned, neither exported nor aborted: %d.  %s", len(rows), m.list.Position()), "")
		lines = append(lines, m.list.Lines()...)
	}
	if u, ok := m.list.Selected(); ok {
		lines = append(lines, "")
		lines = append(lines, m.detail(u)...)
	}
	if m.abort != nil {
		lines = append(lines, "", s.Warn.Render("Abort ceremony "+m.pending.ID+"?"))
		lines = append(lines, common.Wrap("The abort is recorded in the audit log with this reason; the ceremony never resumes and its approvals never count again.", m.c.Size.Width)...)
		lines = append(lines, m.abort.View())
	}
	if m.op.Running() {
		lines = append(lines, "", m.c.Busy("reading the ceremonies"))
	}
	if m.note != "" {
		lines = append(lines, "", s.OK.Render(m.note))
	}
	if m.problem != nil {
		lines = append(lines, "")
		lines = append(lines, s.ErrorLines(m.problem, m.c.Size.Width)...)
	}
	return m.c.Body(lines)
}

func (m Model) detail(u api.Unfinished) []string {
	s := m.c.Styles
	q := u.Quorum
	who := "none yet"
	if len(q.Approvers) > 0 {
		who = strings.Join(q.Approvers, ", ")
	}
	lines := []string{s.Bold.Render(u.ID) + "  " + u.Summary,
		fmt.Sprintf("Approvals %d of %d (%s).", q.Have, q.Need, who)}
	next := "Resume: the ceremony goes on at Approvals. Custodians who approved present their tokens again (their approvals stand; their shares died with the last session)."
	if u.Signed {
		next = "Signed earlier, not exported. Resume: the custodians who approved present their tokens again to unlock the export; nothing is signed again."
	}
	return append(lines, common.Wrap(next, m.c.Size.Width)...)
}
