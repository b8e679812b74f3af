package tui

import (
	"context"
	"fmt"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/pages/approvals"
	"signbox/tui/pages/audit"
	"signbox/tui/pages/choose"
	"signbox/tui/pages/done"
	"signbox/tui/pages/execute"
	"signbox/tui/pages/export"
	"signbox/tui/pages/importmedia"
	"signbox/tui/pages/keys"
	"signbox/tui/pages/plan"
	"signbox/tui/pages/rehearsal"
	"signbox/tui/pages/review"
	"signbox/tui/pages/status"
	"signbox/tui/pages/triage"
	verifypage "signbox/tui/pages/verify"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// model is the root: it shows one page and moves between pages when a
// page reports a result. It owns no engine call except recording an abort.
type model struct {
	base       common.Common
	cancel     context.CancelFunc
	size       common.Size
	help       help.Model
	page       common.Component
	seq        int
	fl         flow
	lastBundle string
	leaving    bool   // asking "leave this ceremony?"
	note       string // one line under the page
	quitting   bool
}

// abortedMsg reports the outcome of recording an abort.
type abortedMsg struct{ err error }

func newModel(engine api.Engine, opts Options) model {
	ctx, cancel := context.WithCancel(opts.ctx)
	st := common.NewStyles(opts.Renderer)
	h := help.New()
	h.Styles = help.Styles{
		ShortKey: st.HelpKey, ShortDesc: st.HelpDesc, ShortSeparator: st.HelpSep,
		FullKey: st.HelpKey, FullDesc: st.HelpDesc, FullSeparator: st.HelpSep, Ellipsis: st.HelpSep,
	}
	m := model{
		base: common.Common{
			Ctx: ctx, Engine: engine, Styles: st, Keys: common.DefaultKeyMap(),
			Date: opts.Date, Media: opts.MediaPath, Out: exportPath(opts), Who: opts.Operator,
		},
		cancel: cancel, size: common.DefaultSize(), help: h, lastBundle: opts.BundlePath,
	}
	switch opts.Start {
	case ScreenRelease:
		m, _ = m.startCeremony(api.KindRelease)
	case ScreenAudit:
		m, _ = m.show(func(c common.Common) common.Component { return audit.New(c) })
	case ScreenDevice:
		m, _ = m.show(func(c common.Common) common.Component { return rehearsal.New(c, m.lastBundle) })
	default:
		m, _ = m.home()
	}
	return m
}

// Init starts the first page.
func (m model) Init() tea.Cmd { return m.page.Init() }

// show replaces the page with a new instance, which gets a fresh id so
// results of the old page's calls are dropped.
func (m model) show(build func(c common.Common) common.Component) (model, tea.Cmd) {
	m.seq++
	m.note = ""
	c := m.base
	c.Page, c.Size = m.seq, m.size.Body()
	m.page = build(c)
	m.help.Width = m.size.Width
	return m, m.page.Init()
}

func (m model) home() (model, tea.Cmd) {
	m.fl, m.leaving = flow{}, false
	return m.show(func(c common.Common) common.Component { return status.New(c) })
}

func (m model) startCeremony(k api.Kind) (model, tea.Cmd) {
	m.fl, m.note = flow{kind: k}, ""
	return m.showStep()
}

func (m model) advance() (model, tea.Cmd) {
	m.fl.pos++
	m.note = ""
	return m.showStep()
}

// showStep builds the page for the flow's current step.
func (m model) showStep() (model, tea.Cmd) {
	fl := m.fl
	return m.show(func(c common.Common) common.Component {
		switch fl.step() {
		case stImport:
			return importmedia.New(c, fl.kind == api.KindPolicyChange)
		case stReview:
			if fl.kind == api.KindPolicyChange {
				return review.NewPolicy(c, fl.policy)
			}
			return review.NewRequest(c, fl.request)
		case stTriage:
			return triage.New(c, fl.request.ID)
		case stKeys:
			return keys.New(c, fl.kind == api.KindRevocation)
		case stPlan:
			return plan.New(c, api.PlanRequest{Kind: fl.kind, RequestID: fl.requestID(), KeyLabel: fl.keyLabel, Date: c.Date})
		case stApprovals:
			return approvals.New(c, fl.plan)
		case stExecute:
			return execute.New(c, fl.plan)
		case stVerify:
			return verifypage.New(c, fl.plan.ID)
		case stExport:
			return export.New(c, fl.plan.ID)
		}
		return done.New(c, fl.export, fl.kind == api.KindRelease)
	})
}

// Update routes a message: global keys, stale results, page results, and
// everything else to the page.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.size = common.Size{Width: msg.Width, Height: msg.Height}
		m.help.Width = msg.Width
		m.page = m.page.SetSize(m.size.Body())
		return m, nil
	case tea.KeyMsg:
		if key.Matches(msg, m.base.Keys.ForceQ) {
			return m.quit()
		}
		if m.leaving {
			return m.leaveKey(msg)
		}
	case common.Tagged:
		if msg.CallTag().Page != m.seq {
			return m, nil
		}
	case abortedMsg:
		return m.aborted(msg), nil
	}
	if next, cmd, ok := m.navigate(msg); ok {
		return next, cmd
	}
	var cmd tea.Cmd
	m.page, cmd = m.page.Update(msg)
	return m, cmd
}

func (m model) quit() (tea.Model, tea.Cmd) {
	m.cancel()
	m.quitting = true
	return m, tea.Quit
}

// navigate turns a page's result message into the next screen.
func (m model) navigate(msg tea.Msg) (model, tea.Cmd, bool) {
	var (
		next model
		cmd  tea.Cmd
	)
	switch msg := msg.(type) {
	case status.ChooseMsg:
		next, cmd = m.show(func(c common.Common) common.Component { return choose.New(c) })
	case status.AuditMsg:
		next, cmd = m.show(func(c common.Common) common.Component { return audit.New(c) })
	case status.DeviceMsg:
		next, cmd = m.rehearse(m.lastBundle)
	case status.QuitMsg:
		m.cancel()
		m.quitting = true
		return m, tea.Quit, true
	case choose.ChosenMsg:
		next, cmd = m.startCeremony(msg.Kind)
	case common.HomeMsg:
		next, cmd = m.home()
	case common.BackMsg:
		if !m.fl.active() {
			next, cmd = m.home()
			break
		}
		m.leaving = true
		return m, nil, true
	case done.RehearseMsg:
		next, cmd = m.rehearse(msg.BundlePath)
	default:
		return m.ceremonyResult(msg)
	}
	return next, cmd, true
}

// ceremonyResult records what a ceremony page produced and moves on.
func (m model) ceremonyResult(msg tea.Msg) (model, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case importmedia.RequestMsg:
		m.fl.request = msg.Request
	case importmedia.PolicyMsg:
		m.fl.policy = msg.Change
	case review.AcceptedMsg, triage.DoneMsg, approvals.QuorumMsg, verifypage.DoneMsg:
	case keys.ChosenMsg:
		m.fl.keyLabel = msg.Label
	case plan.AcceptedMsg:
		m.fl.plan = msg.Plan
	case execute.DoneMsg:
		m.fl.executed = true
	case export.DoneMsg:
		m.fl.export = msg.Export
		if m.fl.kind == api.KindRelease { // only a release bundle installs on a device
			m.lastBundle = msg.Export.BundlePath
		}
	default:
		return m, nil, false
	}
	next, cmd := m.advance()
	return next, cmd, true
}

func (m model) rehearse(path string) (model, tea.Cmd) {
	m.fl = flow{}
	return m.show(func(c common.Common) common.Component { return rehearsal.New(c, path) })
}

// leaveKey answers "leave this ceremony?". Leaving records an abort when
// a plan exists, so the ceremony cannot be silently resumed later.
func (m model) leaveKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	yes, answered := common.Answer(k, m.base.Keys)
	switch {
	case yes:
		planID := m.fl.plan.ID
		reason := "operators left at: " + m.page.Title()
		next, cmd := m.home()
		next.note = "Ceremony left."
		if planID == "" {
			return next, cmd
		}
		eng, ctx := m.base.Engine, m.base.Ctx
		record := func() tea.Msg { return abortedMsg{err: eng.Abort(ctx, planID, reason)} }
		next.note = "Ceremony left; recording the abort..."
		return next, tea.Batch(cmd, record)
	case answered:
		m.leaving = false
	}
	return m, nil
}

func (m model) aborted(msg abortedMsg) model {
	if msg.err != nil {
		m.note = "Could not record the abort: " + msg.err.Error() + ". Write it in the paper log."
		return m
	}
	m.note = "Ceremony left; the abort is recorded in the audit log."
	return m
}

// View draws header, page, note and help line; always exactly the
// terminal height.
func (m model) View() string {
	if m.quitting {
		return ""
	}
	s := m.base.Styles
	body := m.page.View()
	helpLine := m.help.ShortHelpView(m.page.ShortHelp())
	if m.leaving {
		body, helpLine = m.leaveView(), m.help.ShortHelpView([]key.Binding{
			common.With(m.base.Keys.Yes, "leave the ceremony"), common.With(m.base.Keys.No, "stay")})
	}
	lines := []string{
		common.Truncate(s.Header.Render(m.header()), m.size.Width),
		s.Subtle.Render(strings.Repeat("─", m.size.Width)),
	}
	bodyLines := strings.Split(body, "\n")
	h := m.size.Body().Height
	for len(bodyLines) < h {
		bodyLines = append(bodyLines, "")
	}
	lines = append(lines, bodyLines[:h]...)
	lines = append(lines, common.Truncate(m.note, m.size.Width), helpLine)
	return strings.Join(lines, "\n")
}

func (m model) header() string {
	if !m.fl.active() {
		return "signbox · " + m.page.Title()
	}
	n := len(steps(m.fl.kind)) - 1
	if m.fl.step() == stDone {
		return fmt.Sprintf("signbox · %s · %s", kindTitle(m.fl.kind), m.page.Title())
	}
	return fmt.Sprintf("signbox · %s · step %d of %d · %s", kindTitle(m.fl.kind), m.fl.pos+1, n, m.page.Title())
}

func (m model) leaveView() string {
	s := m.base.Styles
	lines := []string{s.Warn.Render("Leave this ceremony?"), ""}
	switch {
	case m.fl.executed:
		lines = append(lines, "The irreversible step has already run, but nothing has been exported.",
			"Leaving records the ceremony as aborted; its outputs are never shipped.")
	case m.fl.plan.ID != "":
		lines = append(lines, "Nothing has been signed. Leaving records the ceremony as aborted;",
			"approvals given so far will not count for a new ceremony.")
	default:
		lines = append(lines, "Nothing has been signed or recorded yet.")
	}
	lines = append(lines, "", s.Bold.Render("Press y to leave, n to stay."))
	return strings.Join(lines, "\n")
}

func exportPath(o Options) string {
	if o.ExportPath != "" {
		return o.ExportPath
	}
	return o.MediaPath
}
