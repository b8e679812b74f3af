// Package approvals collects the custodians' approvals: each one picks
// their own token and types their PIN (masked); the quorum shows M of N.
package approvals

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/picker"
	"signbox/tui/components/pinfield"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// QuorumMsg: the threshold is reached and the operators go on.
type QuorumMsg struct{ Quorum api.Quorum }

// ApprovedMsg: an approval (or a share) was recorded; the quorum so far.
// The root keeps it to say what leaving would keep.
type ApprovedMsg struct{ Quorum api.Quorum }

// The page's modes.
const (
	modeCustodian = iota
	modeToken
	modePIN
)

// Model is the page.
type Model struct {
	c          common.Common
	plan       api.Plan
	signed     bool // signed in an earlier session: only shares are taken
	op         common.Op
	init       tea.Cmd // the first load, started by New
	custodians []api.Custodian
	quorum     api.Quorum
	mode       int
	who        picker.Model
	tokens     picker.Model
	pin        pinfield.Model
	problem    *common.Problem
	note       string
	pinState   *api.PINState // what the token said after the last wrong PIN
}

// New builds the page for an accepted plan. signed: the plan signed in
// an earlier session (a resumed ceremony); approvals are closed and the
// custodians who approved present their shares for the export.
func New(c common.Common, p api.Plan, signed bool) Model {
	m := Model{c: c, plan: p, signed: signed, quorum: p.Quorum, who: picker.New(c, nil, 6), tokens: picker.New(c, nil, 4)}
	m, m.init = m.load()
	return m
}

// Init loads the custodians.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng, id := m.c.Engine, m.plan.ID
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) ([]api.Custodian, error) {
		return eng.Custodians(ctx, id)
	})
	return m, cmd
}

// approve hands the PIN to the engine inside the command and wipes it
// there once Approve returns; the model keeps no copy.
func (m Model) approve() (Model, tea.Cmd) {
	cust := m.custodians[m.who.Cursor()]
	tok := cust.Tokens[m.tokens.Cursor()]
	var pin []byte
	m.pin, pin = m.pin.Take()
	eng, id, name, tokID := m.c.Engine, m.plan.ID, cust.Name, tok.ID
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) (api.Quorum, error) {
		defer pinfield.Zero(pin)
		return eng.Approve(ctx, id, name, tokID, pin)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string { return "Approvals" }

// Typing implements common.Typer: the PIN field takes every key.
func (m Model) Typing() bool { return m.mode == modePIN }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.who = m.who.SetWidth(s.Width)
	m.tokens = m.tokens.SetWidth(s.Width)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.op.Running():
		return []key.Binding{common.With(k.Back, "cancel")}
	case m.mode == modePIN:
		return []key.Binding{common.With(k.Enter, "approve with this PIN"), common.With(k.Back, "back")}
	case m.mode == modeToken:
		return []key.Binding{k.Up, k.Down, common.With(k.Enter, "use this token"), common.With(k.Back, "back")}
	case m.quorum.Ready():
		return []key.Binding{k.Up, k.Down, common.With(k.Enter, "approve"), common.With(k.Continue, "continue"), common.With(k.Back, "leave ceremony")}
	}
	return []key.Binding{k.Up, k.Down, common.With(k.Enter, "approve as this custodian"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[[]api.Custodian]:
		return m.loaded(msg)
	case common.Result[api.Quorum]:
		return m.approved(msg)
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) loaded(r common.Result[[]api.Custodian]) (common.Component, tea.Cmd) {
	if !m.op.Owns(r.Tag) {
		return m, nil
	}
	m.op = m.op.Done()
	if r.Err != nil {
		m.problem = common.NewProblem(r.Err, "check the custodian tokens are inserted, then press r to reload")
		return m, nil
	}
	m.custodians = r.Value
	m.who = m.who.SetItems(m.custodianItems())
	return m, nil
}

func (m Model) approved(r common.Result[api.Quorum]) (common.Component, tea.Cmd) {
	if !m.op.Owns(r.Tag) {
		return m, nil
	}
	m.op = m.op.Done()
	c := m.custodians[m.who.Cursor()]
	if r.Err != nil {
		m.mode, m.pinState = modePIN, nil
		m.problem = common.NewProblem(r.Err, "check this is "+c.Name+"'s own token and type the PIN again; repeated wrong PINs lock the token")
		var ps api.PINStater
		if errors.As(r.Err, &ps) {
			st := ps.PINState()
			m.pinState = &st
			if st.Locked {
				m.mode = modeCustodian // no PIN opens it now
				m.problem.Next = "another custodian approves; the security officer resets " + c.Name + "'s PIN later"
			}
		}
		return m, nil
	}
	m.quorum, m.mode, m.problem, m.pinState = r.Value, modeCustodian, nil, nil
	m.note = c.Name + " approved the plan."
	if c.ShareNeeded {
		m.note = c.Name + " presented their share; their approval stands."
	}
	m.custodians = append([]api.Custodian(nil), m.custodians...)
	m.custodians[m.who.Cursor()].Approved = true
	m.custodians[m.who.Cursor()].ShareNeeded = false
	m.who = m.who.SetItems(m.custodianItems())
	return m, common.Emit(ApprovedMsg{Quorum: m.quorum})
}

// pinStateLine is what the token said of its PIN, or "".
func pinStateLine(st api.PINState) string {
	switch {
	case st.Locked:
		return "Token says: PIN LOCKED. The security officer must reset it; another custodian approves meanwhile."
	case st.FinalTry:
		return "Token says: FINAL TRY. The next wrong PIN locks this token."
	case st.CountLow:
		return "Token says: PIN count low. A wrong PIN was entered; few tries may remain."
	}
	return ""
}

func (m Model) custodianItems() []string {
	var out []string
	for _, c := range m.custodians {
		box, share := "[ ]", ""
		if c.Approved {
			box = "[x]"
		}
		if c.ShareNeeded {
			share = "  share needed"
		}
		out = append(out, fmt.Sprintf("%s %s %s %d token(s)%s", box, common.Pad(c.Name, 16), common.Pad(c.Role, 16), len(c.Tokens), share))
	}
	return out
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if key.Matches(k, keys.Back) && m.op.Running() {
		m.op = m.op.Cancel()
		m.mode = modeCustodian
		m.problem = &common.Problem{What: "cancelled; the approval may or may not have been recorded", Next: "press r to reload the list and check"}
		return m, nil
	}
	if m.op.Running() {
		return m, nil
	}
	switch m.mode {
	case modePIN:
		return m.pinKey(k)
	case modeToken:
		return m.tokenKey(k)
	}
	return m.custodianKey(k)
}

func (m Model) custodianKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	switch {
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.BackMsg{})
	case key.Matches(k, keys.Refresh):
		return m.load()
	case key.Matches(k, keys.Continue):
		q := m.quorum
		if !q.Reached() {
			m.problem = &common.Problem{What: fmt.Sprintf("quorum not reached: %d of %d approvals", q.Have, q.Need), Next: "another custodian approves with their own token"}
			return m, nil
		}
		if !q.Ready() {
			m.problem = &common.Problem{What: fmt.Sprintf("%d of %d shares presented in this session: the appliance token opens only with %d", q.Shares, q.SharesNeed, q.SharesNeed),
				Next: "a custodian marked \"share needed\" approves again with their own token and PIN"}
			return m, nil
		}
		return m, common.Emit(QuorumMsg{Quorum: m.quorum})
	case key.Matches(k, keys.Enter) && len(m.custodians) > 0:
		return m.pickCustodian()
	}
	m.who = m.who.Update(k)
	return m, nil
}

func (m Model) pickCustodian() (common.Component, tea.Cmd) {
	c := m.custodians[m.who.Cursor()]
	m.note, m.pinState = "", nil
	switch {
	case m.signed && !c.Approved:
		m.problem = &common.Problem{What: "approvals closed when this ceremony signed; " + c.Name + " did not approve it", Next: "the custodians who approved present their shares"}
	case c.Approved && !c.ShareNeeded:
		m.problem = &common.Problem{What: c.Name + " has already approved this plan", Next: "choose a custodian who has not approved yet"}
	case len(c.Tokens) == 0:
		m.problem = &common.Problem{What: "no token of " + c.Name + " is present", Next: "insert " + c.Name + "'s approval token, then press r"}
	default:
		var items []string
		for _, t := range c.Tokens {
			items = append(items, fmt.Sprintf("%s  serial %s", t.Label, t.Serial))
		}
		m.tokens = m.tokens.SetItems(items).Select(0)
		m.mode, m.problem = modeToken, nil
	}
	return m, nil
}

func (m Model) tokenKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	switch {
	case key.Matches(k, m.c.Keys.Back):
		m.mode = modeCustodian
	case key.Matches(k, m.c.Keys.Enter):
		m.mode, m.pin = modePIN, m.pin.Clear()
	default:
		m.tokens = m.tokens.Update(k)
	}
	return m, nil
}

func (m Model) pinKey(k tea.KeyMsg) (common.Component, tea.Cmd) {
	switch {
	case key.Matches(k, m.c.Keys.Back):
		m.mode, m.pin = modeToken, m.pin.Clear()
	case key.Matches(k, m.c.Keys.Enter):
		if m.pin.Empty() {
			m.problem = &common.Problem{What: "no PIN typed", Next: "type your PIN, then press enter"}
			return m, nil
		}
		m.problem = nil
		return m.approve()
	default:
		m.pin = m.pin.Update(k)
	}
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	s := m.c.Styles
	q := m.quorum
	lines := []string{
		fmt.Sprintf("%s %s  plan %s", s.Bold.Render(fmt.Sprintf("Approvals %d of %d", q.Have, q.Need)), common.Bar(q.Have, q.Need, 20), common.Short(m.plan.Digest)),
		"Each custodian approves with their own token. Nobody types another's PIN.",
	}
	if m.signed {
		lines[1] = "Signed earlier. Those who approved present their shares with their own token."
	}
	// The full digest and its words stay on screen whatever the mode: what
	// each token signs is what was read aloud.
	lines = append(lines, "Plan digest (SHA-256):")
	for _, row := range common.HexGroups(m.plan.Digest, 8) {
		lines = append(lines, "  "+s.Digest.Render(row))
	}
	for _, l := range common.Wrap(strings.Join(m.plan.Words, " "), m.c.Size.Width-2) {
		lines = append(lines, "  "+s.Digest.Render(l))
	}
	lines = append(lines, "")
	if m.mode == modeCustodian || len(m.custodians) == 0 {
		lines = append(lines, m.who.Lines()...)
	}
	if q.SharesNeed > 0 && q.Shares < q.SharesNeed && q.Have > q.Shares {
		lines = append(lines, "", s.Warn.Render(fmt.Sprintf("Shares %d of %d presented in this session.", q.Shares, q.SharesNeed))+
			" Earlier approvals stand.")
	}
	if len(m.custodians) > 0 && m.mode != modeCustodian {
		c := m.custodians[m.who.Cursor()]
		head := c.Name + ": choose your token"
		if c.ShareNeeded {
			head += " (it presents your share; your approval stands)"
		}
		if m.mode == modePIN {
			head = c.Name + ": your token signs the digest above"
		}
		lines = append(lines, s.Bold.Render(head))
		if m.mode == modeToken {
			lines = append(lines, m.tokens.Lines()...)
		}
	}
	if m.mode == modePIN {
		lines = append(lines, s.Bold.Render("PIN: ")+m.pin.View())
	}
	if m.pinState != nil {
		// Next to the PIN field, before the error: the custodian must
		// read it before typing again.
		for _, l := range common.Wrap(pinStateLine(*m.pinState), m.c.Size.Width) {
			lines = append(lines, s.Warn.Render(l))
		}
	}
	if m.op.Running() {
		lines = append(lines, "", m.c.Busy("signing the plan digest on the token"))
	}
	if m.note != "" {
		lines = append(lines, "", s.OK.Render(m.note))
	}
	switch {
	case q.Ready() && m.mode == modeCustodian && m.signed:
		lines = append(lines, s.OK.Render("Quorum reached.")+" Press c to continue: unlock for the export.")
	case q.Ready() && m.mode == modeCustodian:
		lines = append(lines, s.OK.Render("Quorum reached.")+" Press c to continue to the irreversible step.")
	}
	lines = append(lines, m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}
