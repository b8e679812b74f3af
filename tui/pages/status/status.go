// Package status is the home screen: workspace, policy, HSM tokens,
// released versions and the audit log state.
package status

import (
	"context"
	"fmt"

	"signbox/tui/api"
	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// ChooseMsg: the operator wants to start a ceremony.
type ChooseMsg struct{}

// AuditMsg: open the audit log viewer.
type AuditMsg struct{}

// DeviceMsg: open the device rehearsal screen.
type DeviceMsg struct{}

// QuitMsg: leave signbox.
type QuitMsg struct{}

// UnfinishedMsg: list the unfinished ceremonies, to resume or abort one.
type UnfinishedMsg struct{}

// home is what the page loads: the status and the unfinished ceremonies.
type home struct {
	st      api.Status
	open    []api.Unfinished
	openErr error // the status still shows when the list cannot be read
}

// Model is the status page.
type Model struct {
	c       common.Common
	op      common.Op
	init    tea.Cmd // the first load, started by New
	st      *api.Status
	open    []api.Unfinished
	openErr error
	problem *common.Problem
}

// shownOpen is how many unfinished ceremonies the home screen lists; the
// rest are on the Unfinished ceremonies screen.
const shownOpen = 3

// New builds the page.
func New(c common.Common) Model {
	m := Model{c: c}
	m, m.init = m.load()
	return m
}

// Init loads the status.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng := m.c.Engine
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (home, error) {
		st, err := eng.Status(ctx)
		if err != nil {
			return home{}, err
		}
		open, err := eng.Unfinished(ctx)
		return home{st: st, open: open, openErr: err}, nil
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Workspace and HSM status" }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component { m.c.Size = s; return m }

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if len(m.open) > 0 {
		// The unfinished ceremonies come first; d and r stay in the help.
		return []key.Binding{common.With(k.Enter, "start a ceremony"), common.With(k.Open, "resume or abort"), k.Audit, k.Quit}
	}
	return []key.Binding{common.With(k.Enter, "start a ceremony"), k.Audit, k.Device, k.Refresh, k.Quit}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return common.FullHelpOf([]key.Binding{common.With(k.Enter, "start a ceremony"), common.With(k.Open, "resume or abort"), k.Audit, k.Device, k.Refresh, k.Quit})
}

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[home]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "check the workspace path and that the HSM module is installed, then press r to retry")
		if !ok {
			return m, nil
		}
		m.st, m.open, m.openErr, m.problem = &v.st, v.open, v.openErr, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "loading the status was cancelled", Next: "press r to load it again"}) {
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Enter):
		return m, common.Emit(ChooseMsg{})
	case key.Matches(k, keys.Audit):
		return m, common.Emit(AuditMsg{})
	case key.Matches(k, keys.Device):
		return m, common.Emit(DeviceMsg{})
	case key.Matches(k, keys.Open):
		return m, common.Emit(UnfinishedMsg{})
	case key.Matches(k, keys.Refresh):
		m.problem = nil
		return m.load()
	case key.Matches(k, keys.Quit):
		return m, common.Emit(QuitMsg{})
	}
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	var lines []string
	switch {
	case m.op.Running():
		lines = append(lines, m.c.Busy("reading workspace and HSM status"))
	case m.st != nil:
		lines = append(lines, m.statusLines(*m.st)...)
	}
	if m.problem != nil {
		lines = append(lines, "")
		lines = append(lines, m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)...)
	}
	return m.c.Body(lines)
}

func (m Model) statusLines(st api.Status) []string {
	s := m.c.Styles
	lines := []string{
		m.c.Pair("Workspace", 10, st.Workspace),
		m.c.Pair("Policy", 10, common.Short(st.PolicyDigest)+"  "+st.PolicyNote),
		m.c.Pair("Audit log", 10, fmt.Sprintf("%d entries, %s", st.AuditEntries, st.AuditVerdict)),
		m.c.Pair("Date", 10, dateLine(m.c)),
	}
	lines = append(lines, m.openLines()...)
	lines = append(lines, "", m.c.Section("HSM tokens"))
	for _, t := range st.Tokens {
		mark := s.OK.Render("[ OK ]")
		if !t.Present {
			mark = s.Error.Render("[MISS]")
		}
		lines = append(lines, fmt.Sprintf("  %s %s %s %s", mark, common.Pad(t.Role, 10), common.Pad(t.Label, 22), t.Detail))
	}
	lines = append(lines, "", m.c.Section("Released security versions"))
	if len(st.Products) == 0 {
		lines = append(lines, "  none yet")
	}
	for _, p := range st.Products {
		lines = append(lines, fmt.Sprintf("  %s %d", common.Pad(p.Product, 20), p.SecurityVersion))
	}
	if len(st.Problems) > 0 {
		lines = append(lines, "", s.Warn.Render("Needs attention"))
		for _, p := range st.Problems {
			lines = append(lines, "  ! "+p)
		}
	}
	return lines
}

// openLines lists the unfinished ceremonies first thing on the home
// screen: after a restart they are what the operators came back for.
func (m Model) openLines() []string {
	s := m.c.Styles
	if m.openErr != nil {
		return []string{"", s.Warn.Render("Unfinished ceremonies: cannot list them: ") + m.openErr.Error()}
	}
	if len(m.open) == 0 {
		return nil
	}
	lines := []string{"", s.Warn.Render(fmt.Sprintf("Unfinished ceremonies (%d)", len(m.open))) + "  press u to resume or abort one"}
	for i, u := range m.open {
		if i == shownOpen {
			lines = append(lines, fmt.Sprintf("  … and %d more", len(m.open)-shownOpen))
			break
		}
		lines = append(lines, fmt.Sprintf("  %s %s %s  %s, %d of %d approvals", common.Pad(u.ID, 14), common.Pad(common.KindTitle(u.Kind), 15),
			u.Date, u.Step, u.Quorum.Have, u.Quorum.Need))
	}
	return lines
}

func dateLine(c common.Common) string {
	if c.Date == "" {
		return c.Styles.Warn.Render("not set: a ceremony needs the date the operators confirm")
	}
	return c.Date + "  (ceremony date; confirm it aloud)"
}
