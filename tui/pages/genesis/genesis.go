// Package genesis is `signbox init` in the TUI: the founders read what
// will be made, the operator and every founder type their PINs, the
// appliance is made through the same appliance call as the headless
// command, and the paper-log lines are shown to copy.
package genesis

import (
	"context"
	"fmt"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/pinfield"
	"signbox/tui/components/scroll"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// QuitMsg: the operators are done here (genesis made, or left before
// anything was made).
type QuitMsg struct{}

type stage int

const (
	stReview  stage = iota // read the plan
	stPINs                 // the operator's, then each founder's PIN
	stConfirm              // last chance: nothing made yet
	stRunning
	stDone // the paper log
)

// Model is the page.
type Model struct {
	c       common.Common
	door    api.Genesis
	plan    api.GenesisPlan
	st      stage
	who     int // stPINs: 0 the operator's audit token, i>0 founder i-1
	pins    map[string][]byte
	field   pinfield.Model
	op      common.Op
	result  *api.GenesisResult
	body    scroll.Model
	problem *common.Problem
}

// New builds the page over door.
func New(c common.Common, door api.Genesis) Model {
	m := Model{c: c, door: door, plan: door.Plan(), pins: map[string][]byte{}}
	m.body = scroll.NewPage(c, m.planLines(), 2)
	return m
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Title implements common.Component.
func (m Model) Title() string {
	switch m.st {
	case stPINs:
		return "Genesis: PINs"
	case stDone:
		return "Genesis: paper log"
	}
	return "Initialise the appliance (genesis)"
}

// Typing implements common.Typer: the PIN field takes printable keys.
func (m Model) Typing() bool { return m.st == stPINs }

// Busy implements common.Busier.
func (m Model) Busy() bool { return m.op.Running() }

// Holds implements common.Holder: a genesis under way is not cut short.
func (m Model) Holds() bool { return m.op.Running() }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.body = m.body.Fit(s)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch m.st {
	case stReview:
		return []key.Binding{common.With(k.Enter, "type the PINs"), k.Down, common.With(k.Quit, "quit (nothing made)")}
	case stPINs:
		return []key.Binding{common.With(k.Enter, "next"), common.With(k.Back, "back one step")}
	case stConfirm:
		return []key.Binding{common.With(k.Yes, "make the appliance"), common.With(k.Back, "back one step")}
	case stDone:
		return []key.Binding{k.Down, common.With(k.PageDown, "page"), common.With(k.Enter, "done")}
	}
	return nil
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[api.GenesisResult]:
		return m.finished(msg)
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	switch m.st {
	case stReview:
		switch {
		case key.Matches(k, keys.Enter):
			m.st, m.who, m.problem = stPINs, 0, nil
			m.body = scroll.NewPage(m.c, m.planLines(), 2)
		case key.Matches(k, keys.Quit, keys.Back):
			return m, common.Emit(QuitMsg{})
		default:
			m.body = m.body.Update(k)
		}
	case stPINs:
		return m.pinKey(k)
	case stConfirm:
		switch {
		case key.Matches(k, keys.Yes):
			return m.run()
		case key.Matches(k, keys.Back, keys.No):
			m.st, m.who = stPINs, len(m.plan.Founders)
			m = m.forget(m.whoKey())
		}
	case stDone:
		if key.Matches(k, keys.Enter, keys.Quit) {
			return m, common.Emit(QuitMsg{})
		}
		m.body = m.body.Update(k)
	}
	return m, nil
}

// whoKey is the pins key of the PIN being typed.
func (m Model) whoKey() string {
	if m.who == 0 {
		return api.AuditPINKey
	}
	return m.plan.Founders[m.who-1].Name
}

// forget wipes one typed PIN.
func (m Model) forget(who string) Model {
	if p, ok := m.pins[who]; ok {
		pinfield.Zero(p)
		delete(m.pins, who)
	}
	return m
}

// pinKey types a PIN; enter keeps it and moves on, esc goes back one
// step (nothing is made before the confirmation).
func (m Model) pinKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	switch {
	case key.Matches(k, keys.Enter):
		if m.field.Empty() {
			return m, nil
		}
		var pin []byte
		m.field, pin = m.field.Take()
		m.pins[m.whoKey()] = pin
		if m.who == len(m.plan.Founders) {
			m.st = stConfirm
			return m, nil
		}
		m.who++
	case key.Matches(k, keys.Back):
		m.field = m.field.Clear()
		if m.who == 0 {
			m.st = stReview
			return m, nil
		}
		m.who--
		m = m.forget(m.whoKey())
	default:
		m.field = m.field.Update(k)
	}
	return m, nil
}

// run starts the genesis with a copy of the typed PINs; the page's own
// copies are wiped when the result comes back.
func (m Model) run() (common.Component, tea.Cmd) {
	door, pins := m.door, m.pins
	m.st = stRunning
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.GenesisResult, error) {
		return door.Run(ctx, pins)
	})
	return m, cmd
}

func (m Model) finished(r common.Result[api.GenesisResult]) (common.Component, tea.Cmd) {
	res, ok := common.Settle(&m.op, &m.problem, r, "no appliance was made if a PIN or a token was refused; fix it and type the PINs again")
	if r.Tag != m.op.Tag() {
		return m, nil
	}
	for who := range m.pins {
		m = m.forget(who)
	}
	if !ok {
		// Back to the plan, the reason above it: the plan scrolls in
		// what is left, so neither is cut off.
		m.st = stReview
		m.body = scroll.NewPage(m.c, m.planLines(), 3+len(m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)))
		return m, nil
	}
	m.result, m.st = &res, stDone
	m.body = m.body.SetLines(m.paperLines())
	return m, nil
}

func (m Model) planLines() []string {
	p := m.plan
	w := 16
	out := []string{
		m.c.Pair("Workspace", w, p.Workspace),
		m.c.Pair("Module", w, p.Module),
		m.c.Pair("Appliance token", w, p.ApplianceLabel+" (the module's free slot; random PINs nobody sees)"),
		m.c.Pair("Audit token", w, p.AuditToken),
		m.c.Pair("Policy", w, fmt.Sprintf("%s serial %d", p.Policy, p.Serial)),
		m.c.Pair("Date", w, p.Date+"  (genesis date; confirm it aloud)"),
		"", m.c.Section(fmt.Sprintf("Founders (all approve; any %d open the appliance token)", p.Threshold)),
	}
	for _, f := range p.Founders {
		out = append(out, fmt.Sprintf("  %-10s %s", f.Name, f.Token))
	}
	out = append(out, "", m.c.Section("Keys made inside the HSM"))
	for _, k := range p.Keys {
		extra := ""
		if k.Backup {
			extra = "  backup: wrappable"
		}
		out = append(out, fmt.Sprintf("  %-18s %-12s %s token%s", k.Label, k.Algorithm, k.Token, extra))
	}
	out = append(out, "", m.c.Section("Founders' keys: each founder reads the words of their own printout"))
	ww := m.c.Size.Width - 4
	for _, f := range p.Founders {
		if f.Enrol {
			out = append(out, "  "+f.Name+": enrolled now: their token makes both keys (the paper log lists them)")
			continue
		}
		out = append(out, "  "+f.Name+" approval key "+f.ApprovalKey)
		out = append(out, common.WrapIndent(strings.Join(f.ApprovalWords, " "), ww, "    ", "    ")...)
		if f.ShareKey != "" {
			out = append(out, "  "+f.Name+" share key    "+f.ShareKey)
			out = append(out, common.WrapIndent(strings.Join(f.ShareWords, " "), ww, "    ", "    ")...)
		}
	}
	return out
}

func (m Model) paperLines() []string {
	// Every line is wrapped, never cut: the founders copy all of it.
	r, w := m.result, m.c.Size.Width
	out := common.WrapIndent("Appliance "+r.ApplianceID+" on "+r.ApplianceURI, w-2, "", "  ")
	out = append(out, common.WrapIndent("Policy "+r.PolicyDigest, w-2, "", "  ")...)
	out = append(out, common.WrapIndent(strings.Join(r.PolicyWords, " "), w, "  ", "  ")...)
	out = append(out, "", m.c.Section("Copy into the paper log"))
	for _, l := range r.PaperLog {
		out = append(out, common.WrapIndent(l, w-4, "  ", "      ")...)
	}
	return out
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	var lines []string
	switch m.st {
	case stReview, stDone:
		head := "Read this aloud. Nothing is made before every PIN and y."
		if m.st == stDone {
			head = s.OK.Render("Genesis complete.") + " Copy it all into the paper log."
		}
		lines = append(lines, common.Truncate(head, m.c.Size.Width)+"  "+m.body.Position())
		if m.st == stReview {
			lines = append(lines, s.ErrorLines(m.problem, m.c.Size.Width)...)
		}
		lines = append(lines, "")
		lines = append(lines, m.body.Lines()...)
	case stPINs:
		lines = append(lines, m.pinLines()...)
	case stConfirm:
		lines = append(lines, "Every PIN is typed.", "",
			"Press y to make the appliance: the token is initialised, the keys are made,",
			"the founders approve the genesis policy and the audit log starts.",
			"esc goes back; nothing is made before y.")
	case stRunning:
		lines = append(lines, s.Warn.Render("Working: making the appliance token, its keys, the share set and the first anchor"),
			"", "Do not remove any token. This takes a few seconds.")
	}
	if m.st != stDone && m.st != stReview {
		lines = append(lines, "")
		lines = append(lines, s.ErrorLines(m.problem, m.c.Size.Width)...)
	}
	return m.c.Body(lines)
}

func (m Model) pinLines() []string {
	n := len(m.plan.Founders) + 1
	who, tok := "the operator", m.plan.AuditToken
	role := "opens the audit token, which holds the audit log's keys"
	if m.who > 0 {
		f := m.plan.Founders[m.who-1]
		who, tok, role = f.Name, f.Token, "signs the genesis approval; their share key receives a share"
	}
	return []string{
		fmt.Sprintf("PIN %d of %d: %s", m.who+1, n, who),
		"",
		m.c.Pair("Token", 8, tok),
		m.c.Pair("Use", 8, role),
		"",
		"PIN: " + m.field.View(),
		"",
		m.c.Styles.Subtle.Render("Only " + who + " types here; the PIN is kept in memory until y, then wiped."),
	}
}
