// Package execute runs the ceremony's irreversible HSM step after an
// explicit confirmation, showing progress as it arrives.
package execute

import (
	"context"

	"signbox/tui/api"
	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// DoneMsg: the step finished; go on to verification.
type DoneMsg struct{ Outcome api.Outcome }

// StartedMsg: the operators said yes and the step is running. Until it
// reports back, whether it signed is not known.
type StartedMsg struct{}

// SignedMsg: the step finished (the outputs are on screen, not verified
// yet). From now on leaving keeps or aborts a signed ceremony.
type SignedMsg struct{}

// progressBuffer lets the engine run ahead of the screen a little.
const progressBuffer = 64

// recentSteps is how many progress lines stay on screen.
const recentSteps = 8

// Model is the page.
type Model struct {
	c        common.Common
	plan     api.Plan
	signed   bool // signed earlier (a resumed ceremony): this only unlocks
	op       common.Op
	progress <-chan api.Progress
	last     api.Progress
	steps    []string
	outcome  *api.Outcome
	problem  *common.Problem
}

// New builds the page for a plan whose quorum is reached. signed: the
// plan signed in an earlier session and was not exported; the presented
// shares only unlock the appliance token for the export, and the engine
// returns the earlier outputs without signing again.
func New(c common.Common, p api.Plan, signed bool) Model { return Model{c: c, plan: p, signed: signed} }

// Init waits for the confirmation; nothing runs yet.
func (m Model) Init() tea.Cmd { return nil }

// Verb is what the step does, per ceremony kind.
func Verb(k api.Kind) string {
	switch k {
	case api.KindKeyGen:
		return "Generate keys"
	case api.KindRevocation:
		return "Revoke the key"
	case api.KindPolicyChange:
		return "Adopt the new policy"
	}
	return "Sign the release"
}

// Title implements common.Component.
func (m Model) Title() string {
	if m.signed {
		return "Unlock for export"
	}
	return Verb(m.plan.Kind)
}

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component { m.c.Size = s; return m }

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.op.Running():
		return []key.Binding{common.With(k.Back, "cancel (stops at the next safe point)")}
	case m.outcome != nil:
		return []key.Binding{common.With(k.Enter, "verify the results"), common.With(k.Back, "leave ceremony")}
	}
	if m.signed {
		return []key.Binding{common.With(k.Yes, "unlock now"), common.With(k.No, "not yet"), common.With(k.Back, "leave ceremony")}
	}
	return []key.Binding{common.With(k.Yes, "yes, do it now"), common.With(k.No, "not yet"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

func (m Model) start() (Model, tea.Cmd) {
	ch := make(chan api.Progress, progressBuffer)
	eng, id := m.c.Engine, m.plan.ID
	var run tea.Cmd
	m.op, run = common.Start(m.c, m.op, func(ctx context.Context) (api.Outcome, error) {
		defer close(ch)
		return eng.Execute(ctx, id, ch)
	})
	m.progress, m.steps, m.problem, m.last = ch, nil, nil, api.Progress{}
	return m, tea.Batch(run, common.WaitProgress(m.op.Tag(), ch), common.Emit(StartedMsg{}))
}

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ProgressMsg:
		if !m.op.Owns(msg.Tag) {
			return m, nil
		}
		m.last = msg.Progress
		m.steps = append(append([]string(nil), m.steps...), msg.Progress.Step)
		return m, common.WaitProgress(msg.Tag, m.progress)
	case common.Result[api.Outcome]:
		o, ok := common.Settle(&m.op, &m.problem, msg, "nothing was exported. Note the error in the paper log; press y to try again or esc to leave and follow the runbook")
		if !ok {
			return m, nil
		}
		m.outcome = &o
		return m, common.Emit(SignedMsg{})
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	switch {
	case m.op.Running():
		if key.Matches(k, keys.Back) {
			m.op = m.op.Cancel()
			m.problem = &common.Problem{What: "cancelled while running; the engine stopped at a safe point", Next: "press y to run it again (it resumes or refuses cleanly), or esc to leave"}
		}
	case m.outcome != nil:
		switch {
		case key.Matches(k, keys.Enter):
			return m, common.Emit(DoneMsg{Outcome: *m.outcome})
		case key.Matches(k, keys.Back):
			return m, common.Emit(common.BackMsg{})
		}
	case key.Matches(k, keys.Yes):
		return m.start()
	case key.Matches(k, keys.No):
		m.problem = &common.Problem{What: "not started", Next: "press y when everyone agrees, or esc to leave the ceremony"}
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.BackMsg{})
	}
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	var lines []string
	switch {
	case m.outcome != nil:
		done := s.OK.Render("Done.") + " Every step completed."
		if m.signed {
			done = s.OK.Render("Unlocked.") + " The outputs signed earlier, unchanged:"
		}
		lines = append(lines, done, "")
		for _, l := range m.outcome.Lines {
			lines = append(lines, common.WrapIndent(l, m.c.Size.Width, "", "    ")...)
		}
		lines = append(lines, "", "Press enter to verify what was produced.")
	case m.op.Running() || len(m.steps) > 0:
		lines = append(lines, m.progressLines()...)
	case m.signed:
		lines = append(lines, m.unlockLines()...)
	default:
		lines = append(lines, m.confirmLines()...)
	}
	lines = append(lines, s.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}

func (m Model) confirmLines() []string {
	s := m.c.Styles
	lines := []string{
		s.Warn.Render(Verb(m.plan.Kind)+" now?") + "  Quorum reached for plan " + common.Short(m.plan.Digest),
		"",
		"This cannot be undone:",
	}
	for _, w := range m.plan.Irreversible {
		for i, l := range common.Wrap(w, m.c.Size.Width-4) {
			prefix := "    "
			if i == 0 {
				prefix = "  ! "
			}
			lines = append(lines, prefix+l)
		}
	}
	return append(lines, "", s.Bold.Render("Press y to go ahead, n to wait."))
}

func (m Model) unlockLines() []string {
	s := m.c.Styles
	lines := []string{s.Warn.Render("Unlock for export?") + "  Signed earlier; plan " + common.Short(m.plan.Digest), ""}
	lines = append(lines, common.Wrap("This ceremony signed in an earlier session and was not exported. Its outputs are never signed again: "+
		"the shares just presented unlock the appliance token, the outputs are read back, verified and exported.", m.c.Size.Width)...)
	return append(lines, "", s.Bold.Render("Press y to unlock, n to wait."))
}

func (m Model) progressLines() []string {
	lines := []string{common.Bar(m.last.Done, m.last.Total, 30) + "  " + m.last.Step, ""}
	from := max(len(m.steps)-recentSteps, 0)
	for _, st := range m.steps[from:] {
		lines = append(lines, "  "+st)
	}
	if m.op.Running() {
		lines = append(lines, "", m.c.Busy(m.Title()))
	}
	return lines
}
