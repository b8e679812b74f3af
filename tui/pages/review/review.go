// Package review shows what was imported — the release request or the
// proposed policy — for the custodians to check before anything else.
package review

import (
	"fmt"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/scroll"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// AcceptedMsg: the operators checked the request and go on.
type AcceptedMsg struct{}

// Model is the page.
type Model struct {
	c      common.Common
	policy bool
	body   scroll.Model
}

// NewRequest reviews a release request.
func NewRequest(c common.Common, r api.Request) Model {
	m := Model{c: c}
	m.body = scroll.NewPage(c, requestLines(c, r), 2)
	return m
}

// NewPolicy reviews a proposed policy change.
func NewPolicy(c common.Common, p api.PolicyChange) Model {
	m := Model{c: c, policy: true}
	lines := []string{c.Section("Changes against the current policy")}
	for _, l := range p.Lines {
		lines = append(lines, common.WrapIndent(l, c.Size.Width, "", "    ")...)
	}
	m.body = scroll.NewPage(c, lines, 2)
	return m
}

func requestLines(c common.Common, r api.Request) []string {
	s := c.Styles
	signed := s.Warn.Render("UNSIGNED request")
	if r.SignedBy != "" {
		signed = "signed by " + r.SignedBy
	}
	lines := []string{
		c.Pair("Product", 17, fmt.Sprintf("%s %s for %s", r.Product, r.Version, r.Chip)),
		c.Pair("Security version", 17, s.Bold.Render(fmt.Sprintf("%d -> %d", r.SecurityVersionOld, r.SecurityVersionNew))+"  (anti-rollback floor)"),
		c.Pair("Request", 17, signed),
		c.Pair("Ceremony date", 17, c.Date),
		"",
		c.Section("Images"),
	}
	for _, im := range r.Images {
		lines = append(lines, fmt.Sprintf("  %s %s %10s  sha256 %s",
			common.Pad(im.Role, 10), common.Pad(im.Name, 20), common.Bytes(im.Size), common.Short(im.SHA256)))
	}
	lines = append(lines, "", c.Section("SBOM"),
		fmt.Sprintf("  %s: %d components, %d with package URLs", r.SBOM.Format, r.SBOM.Components, r.SBOM.WithPURL),
		"  sha256 "+common.Short(r.SBOM.SHA256))
	if len(r.Warnings) > 0 {
		lines = append(lines, "", s.Warn.Render("Warnings"))
		for _, w := range r.Warnings {
			lines = append(lines, "  ! "+w)
		}
	}
	return lines
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Title implements common.Component.
func (m Model) Title() string {
	if m.policy {
		return "Review the policy change"
	}
	return "Review the request"
}

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.body = m.body.Fit(s)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Up, k.Down, common.With(k.Enter, "checked, continue"), common.With(k.Back, "back to the import")}
}

// FullHelp implements common.Component.
func (m Model) FullHelp() [][]key.Binding { return common.FullHelpOf(m.ShortHelp()) }

// Update implements common.Component.
func (m Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.c.Keys.Enter):
		return m, common.Emit(AcceptedMsg{})
	case key.Matches(k, m.c.Keys.Back):
		return m, common.Emit(common.BackMsg{})
	}
	m.body = m.body.Update(k)
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	lines := m.body.Lines()
	ticket := "release ticket"
	if m.policy {
		ticket = "change ticket"
	}
	lines = append(lines, "", m.c.Styles.Subtle.Render("Read each line aloud and compare it with the "+ticket+". "+m.body.Position()))
	return m.c.Body(lines)
}
