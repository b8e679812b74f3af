package tui

import (
	"fmt"
	"strings"

	"signbox/tui/common"
	"signbox/tui/components/reason"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// leaving is the question "leave this ceremony?", asked on esc at a
// page's top level and on ctrl+c. Once a plan exists the operators keep
// the ceremony for later or abort it (recorded, with a reason they
// confirm); before that there is nothing to keep or record. The model
// never mutates a *leaving in place: it copies, so an older model value
// is never changed under its holder.
type leaving struct {
	quit    bool // asked by ctrl+c: signbox quits once the answer is recorded
	typing  bool // confirming the abort's reason
	reason  reason.Model
	problem *common.Problem
}

// abortedMsg reports the outcome of recording an abort.
type abortedMsg struct {
	id  string
	err error
}

// suspendedMsg reports the outcome of keeping a ceremony for later.
type suspendedMsg struct {
	id  string
	err error
}

// leaveKey answers the question.
func (m model) leaveKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	l, keys := *m.leave, m.base.Keys
	if l.typing {
		switch {
		case key.Matches(k, keys.Back):
			l.typing, l.problem = false, nil
		case key.Matches(k, keys.Enter):
			if l.problem = l.reason.Problem(); l.problem == nil {
				return m.abort(l.reason.Value(), l.quit)
			}
		default:
			var cmd tea.Cmd
			l.reason, cmd = l.reason.Update(k)
			m.leave = &l
			return m, cmd
		}
		m.leave = &l
		return m, nil
	}
	if m.fl.plan.ID == "" {
		yes, answered := common.Answer(k, keys)
		switch {
		case yes:
			return m.leaveUnplanned(l.quit)
		case answered:
			m.leave = nil
		}
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Keep):
		return m.keep(l.quit)
	case key.Matches(k, keys.Abort):
		c := m.base
		c.Size = m.size
		l.typing, l.problem = true, nil
		l.reason = reason.New(c, "operators left at: "+m.page.Title())
		m.leave = &l
	case key.Matches(k, keys.No), key.Matches(k, keys.Back):
		m.leave = nil
	}
	return m, nil
}

// leaveUnplanned leaves a ceremony that has no plan: nothing to keep or
// abort.
func (m model) leaveUnplanned(quit bool) (tea.Model, tea.Cmd) {
	if quit {
		return m.quit()
	}
	started := m.fl.started()
	next, cmd := m.home()
	next.note = "Ceremony left; nothing was signed or recorded."
	if started {
		next.note = "Ceremony left; nothing was signed. The imported media stays recorded."
	}
	return next, cmd
}

// keep leaves the ceremony resumable: the engine wipes the shares this
// session collected and locks the appliance token; the plan, approvals
// and any outputs stay on disk. Home (or quit) follows once it is done.
func (m model) keep(quit bool) (tea.Model, tea.Cmd) {
	id := m.fl.plan.ID
	if id == "" {
		return m.leaveUnplanned(quit)
	}
	eng, ctx := m.base.Engine, m.base.Ctx
	m.leave, m.helpOpen, m.quitAfter = nil, false, quit
	m.recording = "keeping ceremony " + id + " for later"
	return m, func() tea.Msg { return suspendedMsg{id: id, err: eng.Suspend(ctx, id)} }
}

// abort records the abort with the confirmed reason; home (or quit)
// follows once it is recorded.
func (m model) abort(why string, quit bool) (tea.Model, tea.Cmd) {
	id := m.fl.plan.ID
	eng, ctx := m.base.Engine, m.base.Ctx
	m.leave, m.helpOpen, m.quitAfter = nil, false, quit
	m.recording = "recording the abort of ceremony " + id
	return m, func() tea.Msg { return abortedMsg{id: id, err: eng.Abort(ctx, id, why)} }
}

func (m model) aborted(msg abortedMsg) (tea.Model, tea.Cmd) {
	m.recording = ""
	if msg.err != nil {
		// Stay in the ceremony: the operators see that nothing was
		// recorded and can try again or keep it.
		m.quitAfter = false
		m.note = "Could not record the abort of " + msg.id + ": " + msg.err.Error() + ". Write it in the paper log."
		return m, nil
	}
	if m.quitAfter {
		return m.quit()
	}
	next, cmd := m.home()
	next.note = "Ceremony " + msg.id + " aborted; the abort is recorded in the audit log."
	return next, cmd
}

func (m model) suspended(msg suspendedMsg) (tea.Model, tea.Cmd) {
	m.recording = ""
	if m.quitAfter {
		return m.quit() // the shares die with the process either way
	}
	next, cmd := m.home()
	next.note = "Kept " + msg.id + " for later; the appliance token is locked. u resumes it."
	if msg.err != nil {
		next.note = "Ceremony " + msg.id + " kept, but its session did not end cleanly (" + msg.err.Error() + "); quit signbox to lock the token."
	}
	return next, cmd
}

// leaveView says exactly what leaving keeps.
func (m model) leaveView() string {
	s, l, fl := m.base.Styles, m.leave, m.fl
	w := m.size.Width
	lines := []string{s.Warn.Render("Leave this ceremony?"), ""}
	if l.typing {
		lines = []string{s.Warn.Render("Abort ceremony " + fl.plan.ID + "?"), ""}
		lines = append(lines, common.Wrap("The ceremony is aborted and recorded in the audit log with this reason; it never resumes and its approvals never count again. Edit the reason or press enter to confirm it.", w)...)
		lines = append(lines, "", l.reason.View())
		if l.problem != nil {
			lines = append(lines, "")
			lines = append(lines, s.ErrorLines(l.problem, w)...)
		}
		return m.bodyOf(lines)
	}
	item := func(k, text string) {
		for i, t := range common.Wrap(text, w-4) {
			if i == 0 {
				lines = append(lines, s.Bold.Render(common.Pad(k, 3))+" "+t)
			} else {
				lines = append(lines, "    "+t)
			}
		}
	}
	switch {
	case fl.plan.ID == "" && !fl.started():
		lines = append(lines, "Nothing has been imported, signed or recorded in this ceremony yet.")
	case fl.plan.ID == "":
		lines = append(lines, common.Wrap("No plan exists yet: nothing has been signed and there is nothing to resume or abort. "+
			"The imported media and any triage decisions stay recorded; a new ceremony starts again from the import.", w)...)
	case fl.attempted && !fl.executed:
		lines = append(lines, common.Wrap("Ceremony "+fl.plan.ID+" was started on its irreversible step and has not reported success: it may or may not have signed. Nothing has been exported.", w)...)
		lines = append(lines, "")
		item("k", "Keep it for later: the plan, its approvals and any outputs stay on disk; the appliance token is locked; "+
			"the home screen shows whether it signed.")
		item("x", "Abort it: the ceremony is aborted and recorded, with a reason you confirm; anything it produced is never shipped.")
		item("n", "Stay in the ceremony.")
	case fl.executed:
		lines = append(lines, common.Wrap("Ceremony "+fl.plan.ID+" has signed; nothing has been exported.", w)...)
		lines = append(lines, "")
		item("k", "Keep it for later: the signed outputs stay on disk and are never signed again; the appliance token is locked; "+
			"resume it from the home screen, where the approving custodians present their tokens again to export.")
		item("x", "Abort it: the ceremony is aborted and recorded, with a reason you confirm; its outputs are never shipped.")
		item("n", "Stay in the ceremony.")
	default:
		lines = append(lines, common.Wrap(fmt.Sprintf("Ceremony %s is planned: %s. Nothing has been signed.", fl.plan.ID, approvalsText(fl.plan.Quorum.Have, fl.plan.Quorum.Need, fl.plan.Quorum.Approvers)), w)...)
		lines = append(lines, "")
		item("k", "Keep it for later: "+keptText(fl.plan.Quorum.Have)+"; the appliance token stays locked; resume it from the home screen.")
		item("x", "Abort it: the ceremony is aborted and recorded in the audit log, with a reason you confirm; its approvals never count again.")
		item("n", "Stay in the ceremony.")
	}
	lines = append(lines, "")
	switch {
	case fl.plan.ID == "" && l.quit:
		lines = append(lines, s.Bold.Render("Press y to leave and quit signbox, n to stay."))
	case fl.plan.ID == "":
		lines = append(lines, s.Bold.Render("Press y to leave, n to stay."))
	case l.quit:
		lines = append(lines, s.Bold.Render("Press k or x, then signbox quits; n stays. ctrl+c again keeps it and quits."))
	}
	return m.bodyOf(lines)
}

// leaveHelp is the help line under the question.
func (m model) leaveHelp() []key.Binding {
	k, l := m.base.Keys, m.leave
	switch {
	case l.typing:
		return []key.Binding{common.With(k.Enter, "record the abort"), common.With(k.Back, "back")}
	case m.fl.plan.ID == "" && l.quit:
		return []key.Binding{common.With(k.Yes, "leave and quit"), common.With(k.No, "stay")}
	case m.fl.plan.ID == "":
		return []key.Binding{common.With(k.Yes, "leave the ceremony"), common.With(k.No, "stay")}
	case l.quit:
		return []key.Binding{common.With(k.Keep, "keep and quit"), common.With(k.Abort, "abort and quit"), common.With(k.No, "stay")}
	}
	return []key.Binding{k.Keep, k.Abort, common.With(k.No, "stay")}
}

// approvalsText is "1 approval of 2 (alice)".
func approvalsText(have, need int, who []string) string {
	t := fmt.Sprintf("%d approvals of %d", have, need)
	if have == 1 {
		t = fmt.Sprintf("1 approval of %d", need)
	}
	if len(who) > 0 {
		t += " (" + strings.Join(who, ", ") + ")"
	}
	return t
}

// keptText says what of a planned ceremony stays on disk.
func keptText(have int) string {
	switch have {
	case 0:
		return "the plan stays on disk (no approvals yet)"
	case 1:
		return "the plan and its 1 approval stay on disk"
	}
	return fmt.Sprintf("the plan and its %d approvals stay on disk", have)
}
