// Package keys shows the key inventory: for key generation, what will be
// created; for key revocation, which key to retire.
package keys

import (
	"context"
	"fmt"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/picker"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// ChosenMsg: go on to the plan. Label is the key to revoke (revocation
// only).
type ChosenMsg struct{ Label string }

// Model is the page.
type Model struct {
	c       common.Common
	revoke  bool
	op      common.Op
	init    tea.Cmd // the first load, started by New
	list    picker.List[api.Key]
	problem *common.Problem
}

// New builds the page; revoke selects the revocation variant.
func New(c common.Common, revoke bool) Model {
	m := Model{c: c, revoke: revoke, list: picker.NewList(c, 10, keyLine)}
	m, m.init = m.load()
	return m
}

// Init loads the inventory.
func (m Model) Init() tea.Cmd { return m.init }

func (m Model) load() (Model, tea.Cmd) {
	eng := m.c.Engine
	var cmd tea.Cmd
	m.op, cmd = common.Start(m.c, m.op, func(ctx context.Context) ([]api.Key, error) {
		return eng.Keys(ctx)
	})
	return m, cmd
}

// Title implements common.Component.
func (m Model) Title() string {
	if m.revoke {
		return "Choose the key to revoke"
	}
	return "Key inventory"
}

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.list = m.list.SetWidth(s.Width)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.revoke {
		return []key.Binding{k.Up, k.Down, common.With(k.Enter, "revoke this key"), common.With(k.Back, "leave ceremony")}
	}
	return []key.Binding{k.Up, k.Down, common.With(k.Enter, "plan generation"), common.With(k.Back, "leave ceremony")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.Result[[]api.Key]:
		v, ok := common.Settle(&m.op, &m.problem, msg, "check the appliance token is present (home screen), then leave and restart the ceremony")
		if !ok {
			return m, nil
		}
		m.list = m.list.SetRows(v)
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func keyLine(k api.Key) string {
	return fmt.Sprintf("%s %s %s %s %s", common.Pad(k.Label, 16), common.Pad(k.Purpose, 22),
		common.Pad(k.Algorithm, 11), common.Pad(k.State, 8), common.Short(k.Fingerprint))
}

func (m Model) key(k tea.KeyMsg) (common.Component, tea.Cmd) {
	keys := m.c.Keys
	if common.Interrupt(k, keys, &m.op, &m.problem, common.Problem{What: "loading the key inventory was cancelled", Next: "press r to load it again"}) {
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Back):
		return m, common.Emit(common.BackMsg{})
	case key.Matches(k, keys.Refresh):
		return m.load()
	case key.Matches(k, keys.Enter) && len(m.list.Rows()) > 0:
		return m.choose()
	default:
		m.list = m.list.Update(k)
	}
	return m, nil
}

func (m Model) choose() (common.Component, tea.Cmd) {
	if !m.revoke {
		for _, k := range m.list.Rows() {
			if k.State == "planned" {
				return m, common.Emit(ChosenMsg{})
			}
		}
		m.problem = &common.Problem{What: "every key in the policy already exists", Next: "nothing to generate; press esc to leave"}
		return m, nil
	}
	k, _ := m.list.Selected() // choose runs only on a non-empty list
	if k.State != "active" {
		m.problem = &common.Problem{What: k.Label + " is " + k.State + ", not active", Next: "choose an active key"}
		return m, nil
	}
	return m, common.Emit(ChosenMsg{Label: k.Label})
}

// View implements common.Component.
func (m Model) View() string {
	intro := "Keys marked planned will be generated inside the HSM; none can leave it."
	if m.revoke {
		intro = "Choose the key slot to retire. Later releases are signed only with the others."
	}
	lines := []string{intro, ""}
	if m.op.Running() {
		lines = append(lines, m.c.Busy("reading the key inventory"))
	}
	lines = append(lines, m.list.Lines()...)
	lines = append(lines, "")
	lines = append(lines, m.c.Styles.ErrorLines(m.problem, m.c.Size.Width)...)
	return m.c.Body(lines)
}
