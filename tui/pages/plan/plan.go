// Package plan shows the canonical plan and its digest, in hex groups and
// as words, for the custodians to read aloud and compare.
package plan

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// AcceptedMsg: the digest was read aloud and matched; go to approvals.
type AcceptedMsg struct{ Plan api.Plan }

// BuiltMsg: the engine built (and recorded) the plan. The ceremony now
// exists on disk: leaving it keeps it resumable or records an abort.
type BuiltMsg struct{ Plan api.Plan }

// Model is the page. The plan is cut into pages of the body's height;
// "digest matches" is refused until every page was on screen, so no field
// the digest binds can be approved unseen. Resizing re-cuts the pages and
// forgets what was seen, since the lines are no longer the same.
type Model struct {
	c       common.Common
	req     api.PlanRequest
	op      common.Op
	init    tea.Cmd // the first load, started by New
	plan    *api.Plan
	lines   []string
	page    int
	seen    []bool // per line of lines
	problem *common.Problem
}

// footer is the lines below the plan text: the page line and a spare.
const footer = 2

// New builds the page for a plan request.
func New(c common.Common, req api.PlanRequest) Model {
	m := Model{c: c, req: req}
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
	if s == m.c.Size {
		return m
	}
	m.c.Size = s
	return m.layout()
}

// layout cuts the plan into lines for the current width and starts over:
// nothing is counted as seen until it is shown at this size.
func (m Model) layout() Model {
	if m.plan == nil {
		return m
	}
	m.lines = planLines(m.c, *m.plan)
	m.seen = make([]bool, len(m.lines))
	m.page = 0
	return m.show()
}

func (m Model) pageHeight() int { return max(m.c.Size.Height-footer, 1) }

func (m Model) pages() int { return max((len(m.lines)+m.pageHeight()-1)/m.pageHeight(), 1) }

// show marks the current page's lines as seen.
func (m Model) show() Model {
	m.page = min(max(m.page, 0), m.pages()-1)
	h := m.pageHeight()
	m.seen = append([]bool(nil), m.seen...)
	for i := m.page * h; i < min((m.page+1)*h, len(m.lines)); i++ {
		m.seen[i] = true
	}
	return m
}

// unseen lists the pages (1-based) with a line not shown yet.
func (m Model) unseen() []int {
	var out []int
	h := m.pageHeight()
	for p := range m.pages() {
		for i := p * h; i < min((p+1)*h, len(m.lines)); i++ {
			if !m.seen[i] {
				out = append(out, p+1)
				break
			}
		}
	}
	return out
}

// AllSeen reports whether every page of the plan was on screen.
func (m Model) AllSeen() bool { return m.plan != nil && len(m.unseen()) == 0 }

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	enter := common.With(k.Enter, "digest matches")
	if !m.AllSeen() {
		enter = common.With(k.Enter, "digest matches (after the last page)")
		enter.SetEnabled(false)
	}
	return []key.Binding{common.With(k.PageDown, "next page"), common.With(k.PageUp, "previous page"), enter, common.With(k.Back, "leave ceremony")}
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
		m = m.layout()
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
		if un := m.unseen(); len(un) > 0 {
			m.problem = &common.Problem{What: fmt.Sprintf("pages %s of %d have not been shown: the digest binds every line of the plan", pageList(un), m.pages()),
				Next: "read every page (pgdn), then press enter if the digest matches"}
			return m, nil
		}
		return m, common.Emit(AcceptedMsg{Plan: *m.plan})
	case key.Matches(k, keys.PageDown), key.Matches(k, keys.Down):
		m.page++
	case key.Matches(k, keys.PageUp), key.Matches(k, keys.Up):
		m.page--
	case key.Matches(k, keys.Top):
		m.page = 0
	case key.Matches(k, keys.Bottom):
		m.page = m.pages() - 1
	}
	m.problem = nil
	return m.show(), nil
}

func pageList(ps []int) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(p)
	}
	if len(s) > 6 {
		s = append(s[:5], "…", s[len(s)-1])
	}
	return strings.Join(s, ", ")
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
	for _, sec := range p.Sections {
		lines = append(lines, "", c.Section(sec.Title))
		item := ""
		for _, r := range sec.Rows {
			if r.Item != item && r.Item != "" {
				lines = append(lines, "  "+s.Bold.Render(r.Item))
			}
			item = r.Item
			lines = append(lines, rowLines(c, r)...)
		}
	}
	return lines
}

// rowLines is one field: "label  value" on one line when it fits, the
// value wrapped whole below its label when not. Nothing is cut off.
func rowLines(c common.Common, r api.PlanRow) []string {
	label := r.Label
	if r.Warn {
		label = "! " + label
	}
	const indent, labelW = "    ", 26
	w := max(labelW, len([]rune(label))+2)
	if len([]rune(r.Value))+w+len(indent) <= c.Size.Width {
		l := indent + common.Pad(label, w) + r.Value
		if r.Warn {
			l = c.Styles.Warn.Render(l)
		}
		return []string{l}
	}
	out := common.WrapIndent(label+":", c.Size.Width, indent, indent)
	out = append(out, common.WrapIndent(r.Value, c.Size.Width, indent+"  ", indent+"  ")...)
	if r.Warn {
		for i := range out {
			out[i] = c.Styles.Warn.Render(out[i])
		}
	}
	return out
}

// View implements common.Component.
func (m Model) View() string {
	var lines []string
	if m.op.Running() {
		lines = append(lines, m.c.Busy("building the canonical plan"))
	}
	if m.plan != nil && m.problem == nil {
		h := m.pageHeight()
		page := m.lines[min(m.page*h, len(m.lines)):min((m.page+1)*h, len(m.lines))]
		lines = append(lines, page...)
		for len(lines) < h {
			lines = append(lines, "")
		}
		note := fmt.Sprintf("Page %d of %d. ", m.page+1, m.pages())
		if m.AllSeen() {
			note += "Every page shown: enter if the digest matches."
		} else {
			note += "Read every page; enter works after the last."
		}
		lines = append(lines, m.c.Styles.Subtle.Render(note))
	}
	lines = append(lines, m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}
