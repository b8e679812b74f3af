package tui

import (
	"context"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/pages/approvals"
	"signbox/tui/pages/audit"
	"signbox/tui/pages/choose"
	"signbox/tui/pages/done"
	"signbox/tui/pages/execute"
	"signbox/tui/pages/export"
	"signbox/tui/pages/genesis"
	"signbox/tui/pages/importmedia"
	"signbox/tui/pages/keys"
	"signbox/tui/pages/plan"
	"signbox/tui/pages/rehearsal"
	"signbox/tui/pages/review"
	"signbox/tui/pages/status"
	"signbox/tui/pages/triage"
	"signbox/tui/pages/unfinished"
	verifypage "signbox/tui/pages/verify"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
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
	leave      *leaving // non-nil while asking "leave this ceremony?"
	helpOpen   bool     // the ? overlay is shown
	quitAfter  bool     // quit once the abort or suspend under way is recorded
	recording  string   // what is being recorded on leaving; keys wait for it
	note       string   // one line under the page
	quitting   bool
	busy       busy // the spinner over a call running longer than spinAfter
}

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
		cancel: cancel, size: common.DefaultSize(), help: h, lastBundle: opts.BundlePath, busy: newBusy(opts.SpinAfter),
	}
	switch opts.Start {
	case ScreenRelease:
		m, _ = m.startCeremony(api.KindRelease)
	case ScreenAudit:
		m, _ = m.show(func(c common.Common) common.Component { return audit.New(c) })
	case ScreenGenesis:
		m, _ = m.show(func(c common.Common) common.Component { return genesis.New(c, opts.Genesis) })
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
	m.fl, m.leave = flow{}, nil
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
			return approvals.New(c, fl.plan, fl.executed)
		case stExecute:
			return execute.New(c, fl.plan, fl.executed)
		case stVerify:
			return verifypage.New(c, fl.plan.ID)
		case stExport:
			return export.New(c, fl.plan.ID)
		}
		return done.New(c, fl.export, fl.kind == api.KindRelease)
	})
}

// Update routes a message (update) and then starts or stops the spinner
// for whatever is in flight.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case spinDelayMsg, spinner.TickMsg:
		return m.spinMsg(msg)
	}
	next, cmd := m.update(msg)
	nm, ok := next.(model)
	if !ok {
		return next, cmd
	}
	nm, spin := nm.watchBusy()
	if spin == nil {
		return nm, cmd
	}
	return nm, tea.Batch(cmd, spin)
}

// update routes a message: global keys, stale results, page results, and
// everything else to the page.
func (m model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.size = common.Size{Width: msg.Width, Height: msg.Height}
		m.help.Width = msg.Width
		m.page = m.page.SetSize(m.size.Body())
		if m.leave != nil {
			l := *m.leave // copy: an older model value keeps its own
			l.reason = l.reason.SetWidth(msg.Width)
			m.leave = &l
		}
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	case common.Tagged:
		if msg.CallTag().Page != m.seq {
			return m, nil
		}
	case abortedMsg:
		return m.aborted(msg)
	case suspendedMsg:
		return m.suspended(msg)
	}
	return m.route(msg)
}

// key handles the keys that work everywhere, in this order: ctrl+c, the
// too-small guard (which takes every other key), the leave question, the
// help overlay; the rest go to the page.
func (m model) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.base.Keys.ForceQ) && m.recording != "":
		return m.quit()
	case key.Matches(k, m.base.Keys.ForceQ):
		return m.interrupt()
	case m.tooSmall(), m.recording != "":
		return m, nil
	case m.leave != nil:
		return m.leaveKey(k)
	case m.helpOpen:
		if key.Matches(k, m.base.Keys.Help, m.base.Keys.Back, m.base.Keys.Quit, m.base.Keys.Enter) {
			m.helpOpen = false
		}
		return m, nil
	case key.Matches(k, m.base.Keys.Help) && (k.Type == tea.KeyF1 || !common.Typing(m.page)):
		m.helpOpen = true
		return m, nil
	}
	return m.route(k)
}

// route hands msg to navigation or, failing that, to the page.
func (m model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
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

// interrupt is ctrl+c. Outside a ceremony, or below the size the screens
// need (where no question can be read), it quits at once: an open
// ceremony is then kept, as its shares die with the process. Inside a
// ceremony it asks first; asked again, it keeps the ceremony and quits.
func (m model) interrupt() (tea.Model, tea.Cmd) {
	switch {
	case common.Holds(m.page):
		m.note = "The genesis is being written and cannot stop halfway; wait for it."
		return m, nil
	case m.tooSmall() || !m.fl.inside():
		return m.quit()
	case m.leave != nil:
		return m.keep(true)
	}
	m.leave, m.helpOpen = &leaving{quit: true}, false
	return m, nil
}

// tooSmall reports whether the terminal is below the 80×24 the screens
// are laid out for: then nothing is drawn but the guard, and no key but
// ctrl+c acts, so nobody approves a digest or types a PIN they cannot see.
func (m model) tooSmall() bool {
	return m.size.Width < minSize.Width || m.size.Height < minSize.Height
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
	case status.QuitMsg, genesis.QuitMsg:
		m.cancel()
		m.quitting = true
		return m, tea.Quit, true
	case status.UnfinishedMsg:
		next, cmd = m.show(func(c common.Common) common.Component { return unfinished.New(c) })
	case unfinished.ResumeMsg:
		m.fl = resume(msg.Plan, msg.Signed)
		next, cmd = m.showStep()
	case choose.ChosenMsg:
		next, cmd = m.startCeremony(msg.Kind)
	case common.HomeMsg:
		next, cmd = m.home()
	case common.BackMsg:
		switch {
		case !m.fl.inside():
			next, cmd = m.home()
		case m.fl.canStepBack():
			m.fl.pos--
			next, cmd = m.showStep()
		default:
			m.leave, m.helpOpen = &leaving{}, false
			return m, nil, true
		}
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
	case plan.BuiltMsg:
		m.fl.plan = msg.Plan // the ceremony exists now; the step is the same
		return m, nil, true
	case approvals.ApprovedMsg:
		m.fl.plan.Quorum = msg.Quorum
		return m, nil, true
	case execute.StartedMsg:
		m.fl.attempted = true
		return m, nil, true
	case execute.SignedMsg:
		m.fl.executed = true
		return m, nil, true
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

func exportPath(o Options) string {
	if o.ExportPath != "" {
		return o.ExportPath
	}
	return o.MediaPath
}
