// Package triage lists the vulnerability findings for the request's SBOM
// and records a VEX decision, with its justification, for each one.
package triage

import (
	"context"
	"fmt"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/field"
	"signbox/tui/components/picker"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// DoneMsg: every finding is decided and the gate is open.
type DoneMsg struct{}

// Model is the page.
type Model struct {
	c         common.Common
	requestID string
	op        common.Op
	init      tea.Cmd // the first load, started by New
	triage    *api.Triage
	list      picker.Model
	form      *form
	problem   *common.Problem
	decided   string // the finding whose decision is being saved
	filtering bool   // the filter field has the keys
	filter    textinput.Model
}

// reserved is the body lines around the list: the count line, the
// finding's detail (4), the gate line, two blanks and up to three error
// lines, so the list grows with the terminal and still fits at 80×24.
const reserved = 11

func listHeight(s common.Size) int { return max(s.Height-reserved, 3) }

// New builds the page for an imported request.
func New(c common.Common, requestID string) Model {
	m := Model{c: c, requestID: requestID, list: picker.New(c, nil, listHeight(c.Size))}
	m, m.init = m.load()
	return m
}

// Init loads the findings.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng, id := m.c.Engine, m.requestID
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Triage, error) {
		return eng.Triage(ctx, id)
	})
	return m, cmd
}

func (m Model) decide(findingID string, d api.Decision) (Model, tea.Cmd) {
	eng, id := m.c.Engine, m.requestID
	d.Response = append([]string(nil), d.Response...)
	var cmd tea.Cmd
	m.decided = findingID
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Triage, error) {
		return eng.Decide(ctx, id, findingID, d)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Vulnerability triage" }

// Typing implements common.Typer: the decision form and the filter take
// typed keys.
func (m Model) Typing() bool { return m.form != nil || m.filtering }

// selected is the finding under the cursor; false when the filter shows
// none.
func (m Model) selected() (api.Finding, bool) {
	i := m.list.Cursor()
	if m.triage == nil || i < 0 || i >= len(m.triage.Findings) {
		return api.Finding{}, false
	}
	return m.triage.Findings[i], true
}

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.list = m.list.SetWidth(s.Width).SetHeight(listHeight(s))
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.op.Running():
		return []key.Binding{common.With(k.Back, "cancel")}
	case m.form != nil:
		return []key.Binding{k.Tab, common.With(k.Left, "change"), common.With(k.Enter, "save decision"), common.With(k.Back, "discard")}
	case m.filtering:
		return []key.Binding{common.With(k.Enter, "keep this filter"), common.With(k.Back, "clear the filter")}
	case m.list.Filter() != "":
		return []key.Binding{k.Up, k.Down, common.With(k.Enter, "decide"), common.With(k.Filter, "change filter"), common.With(k.Back, "clear the filter")}
	}
	return []key.Binding{k.Up, k.Down, common.With(k.Enter, "decide"), common.With(k.Continue, "continue to plan"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding {
	if m.form != nil || m.filtering || m.op.Running() {
		return common.FullHelpOf(m.ShortHelp())
	}
	k := m.c.Keys
	return common.FullHelpOf(append(m.ShortHelp(), common.With(k.Filter, "filter the findings"), k.Top, k.Bottom,
		common.With(k.PageDown, "page down"), k.PageUp, common.With(k.Refresh, "reload")))
}

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.Triage]:
		return m.loaded(msg)
	case tea.KeyMsg:
		switch {
		case m.form != nil:
			return m.formKey(msg)
		case m.filtering:
			return m.filterKey(msg)
		}
		return m.listKey(msg)
	}
	return m, nil
}

func (m Model) loaded(r common.Result[api.Triage]) (common.Component, tea.Cmd) {
	if !m.op.Owns(r.Tag) {
		return m, nil
	}
	m.op = m.op.Done()
	if r.Err != nil {
		m.problem = common.NewProblem(r.Err, "correct the decision and press enter to save it again, or esc to discard it")
		if m.triage == nil {
			m.problem = common.NewProblem(r.Err, "check that an OSV feed has been imported (signbox vuln import), then leave and restart the ceremony")
		}
		return m, nil
	}
	t := r.Value
	m.triage, m.form, m.problem = &t, nil, nil
	m.list = m.list.SetItems(m.items())
	if m.decided != "" {
		m.list = m.list.Select(next(t.Findings, m.decided))
		m.decided = ""
	}
	return m, nil
}

// next is where the cursor goes after a decision is saved: the first
// finding still undecided, so the custodians work down the open ones
// without hunting for them in a re-sorted list, or else the finding just
// decided.
func next(fs []api.Finding, decided string) int {
	at := 0
	for i, f := range fs {
		if f.Decision == nil {
			return i
		}
		if f.ID == decided {
			at = i
		}
	}
	return at
}

// items puts the state before the component so a long module path never
// cuts it off at 80 columns, and leaves out the severity column when the
// feed rates nothing (the Go vulnerability database, for one, does not):
// a column of "unknown" only pushes the useful text off the screen.
func (m Model) items() []string {
	fs := m.triage.Findings
	idW, stateW, rated := 0, len("UNDECIDED"), false
	for _, f := range fs {
		idW = max(idW, len([]rune(f.ID)))
		if f.Decision != nil {
			stateW = max(stateW, len([]rune(f.Decision.State)))
		}
		rated = rated || (f.Severity != "" && f.Severity != "unknown")
	}
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		state := "UNDECIDED"
		if f.Decision != nil {
			state = f.Decision.State
		}
		line := common.Pad(f.ID, idW) + "  " + common.Pad(state, stateW) + "  "
		if rated {
			line += common.Pad(f.Severity, 8) + " "
		}
		out = append(out, line+f.Component+" "+f.Version)
	}
	return out
}

func (m Model) listKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "loading the findings was cancelled", Next: "press r to load them again"}) {
		return m, nil
	}
	f, ok := m.selected()
	switch {
	case key.Matches(k, keys.Back) && m.list.Filter() != "":
		m.list = m.list.SetFilter("")
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.BackMsg{})
	case m.op.Running():
	case key.Matches(k, keys.Refresh):
		return m.load()
	case key.Matches(k, keys.Filter) && m.triage != nil:
		m.filtering = true
		m.filter = field.New(m.c, "Filter: ", m.list.Filter(), m.c.Size.Width)
	case key.Matches(k, keys.Enter) && ok:
		fm := newForm(m.c, f)
		m.form, m.problem = &fm, nil
	case key.Matches(k, keys.Continue) && m.triage != nil:
		if !m.triage.GateOpen {
			m.problem = &common.Problem{What: "the vulnerability gate is closed: " + m.triage.GateReason, Next: "decide every finding (select it and press enter), then press c"}
			return m, nil
		}
		return m, common.Emit(DoneMsg{})
	default:
		m.list = m.list.Update(k)
	}
	return m, nil
}

// filterKey types into the filter; the list follows as it is typed.
func (m Model) filterKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	switch {
	case key.Matches(k, m.c.Keys.Back):
		m.filtering = false
		m.list = m.list.SetFilter("")
		return m, nil
	case key.Matches(k, m.c.Keys.Enter):
		m.filtering = false
		return m, nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(k)
	m.list = m.list.SetFilter(m.filter.Value())
	return m, cmd
}

func (m Model) formKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "saving was cancelled; the decision may or may not be recorded", Next: "press enter to save it again"}) {
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Back):
		m.form, m.problem = nil, nil
	case m.op.Running():
	case key.Matches(k, keys.Enter):
		d, err := m.form.decision()
		if err != nil {
			m.problem = &common.Problem{What: err.Error(), Next: "fill it in, then press enter"}
			return m, nil
		}
		return m.decide(m.form.finding.ID, d)
	default:
		f := m.form.update(k)
		m.form = &f
	}
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	var lines []string
	switch {
	case m.form != nil:
		lines = m.form.lines()
	case m.triage != nil:
		lines = m.listLines()
	}
	if m.op.Running() {
		lines = append(lines, m.c.Busy("talking to the vulnerability database"))
	}
	lines = append(lines, m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}

func (m Model) listLines() []string {
	t, s := m.triage, m.c.Styles
	decided := 0
	for _, f := range t.Findings {
		if f.Decision != nil {
			decided++
		}
	}
	head := fmt.Sprintf("%d findings, %d decided. Feed of %s.", len(t.Findings), decided, t.FeedDate)
	if open := len(t.Findings) - decided; open > 0 {
		head = fmt.Sprintf("%d findings, %d decided, %d to decide. Feed of %s.", len(t.Findings), decided, open, t.FeedDate)
	}
	if len(t.Findings) > 0 {
		head += "  " + m.list.Position()
	}
	if q := m.list.Filter(); q != "" && !m.filtering {
		head = fmt.Sprintf("Filter %q: %d of %d findings.  %s", q, m.list.Shown(), len(t.Findings), m.list.Position())
	}
	lines := []string{head}
	if m.filtering {
		lines[0] = m.filter.View()
	}
	lines = append(lines, m.list.Lines()...)
	lines = append(lines, "")
	if f, ok := m.selected(); ok {
		lines = append(lines, detail(m.c, f)...)
	}
	gate := s.OK.Render("Gate: OPEN") + "  " + t.GateReason
	if !t.GateOpen {
		gate = s.Error.Render("Gate: CLOSED") + "  " + t.GateReason
	}
	return append(lines, "", gate)
}

func detail(c common.Common, f api.Finding) []string {
	lines := []string{c.Styles.Bold.Render(f.ID) + "  " + f.Summary}
	if f.FixedIn != "" {
		lines = append(lines, "  fixed in "+f.FixedIn)
	}
	if d := f.Decision; d != nil {
		why := d.Justification
		if len(d.Response) > 0 {
			why += " " + fmt.Sprint(d.Response)
		}
		lines = append(lines, fmt.Sprintf("  %s %s", d.State, why),
			common.Truncate(fmt.Sprintf("  entered by %s %s; the custodians approve it in the plan", d.By, d.At), c.Size.Width))
		lines = append(lines, "  "+d.Detail)
	}
	return lines
}
