// Package done closes a ceremony: where the bundle went, its digest to
// read aloud, and the signed audit checkpoint to write in the paper log.
package done

import (
	"fmt"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/scroll"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// RehearseMsg: install the new bundle on the emulated device.
type RehearseMsg struct{ BundlePath string }

// Model is the page.
type Model struct {
	c    common.Common
	exp  api.Export
	body scroll.Model
	// bundle: the export is a release bundle, which the emulated device
	// can rehearse; key generation, revocation and policy outputs cannot.
	bundle bool
}

// New builds the page; bundle says the export is a release bundle.
func New(c common.Common, e api.Export, bundle bool) Model {
	m := Model{c: c, exp: e, bundle: bundle}
	m.body = scroll.NewPage(c, lines(c, e, bundle), 1)
	return m
}

func lines(c common.Common, e api.Export, bundle bool) []string {
	label := "Bundle" // key generation, revocation and policy export their outputs
	if !bundle {
		label = "Outputs"
	}
	s := c.Styles
	out := []string{
		s.OK.Render("Ceremony complete.") + fmt.Sprintf(" %d files written and verified.", e.Files),
	}
	// The path is shown whole: the custodians carry this directory away.
	for i, l := range common.Wrap(e.BundlePath, c.Size.Width-9) {
		if i == 0 {
			out = append(out, c.Pair(label, 8, l))
		} else {
			out = append(out, "         "+l)
		}
	}
	out = append(out, s.Bold.Render("Bundle digest")+" (read aloud; the receiving side checks it):")
	for _, row := range common.HexGroups(e.BundleDigest, 8) {
		out = append(out, "  "+s.Digest.Render(row))
	}
	if len(e.Words) > 0 {
		for _, l := range common.Wrap(strings.Join(e.Words, " "), c.Size.Width-2) {
			out = append(out, "  "+s.Digest.Render(l))
		}
	}
	out = append(out, "", s.Bold.Render("Audit checkpoint")+" (copy into the paper log):")
	for _, l := range strings.Split(strings.TrimRight(e.Checkpoint, "\n"), "\n") {
		out = append(out, common.WrapIndent(l, c.Size.Width, "  ", "  ")...)
	}
	return out
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Title implements common.Component.
func (m Model) Title() string { return "Done" }

// SetSize implements common.Component.
func (m Model) SetSize(s common.Size) common.Component {
	m.c.Size = s
	m.body = m.body.Fit(s)
	return m
}

// ShortHelp implements common.Component.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if !m.bundle {
		return []key.Binding{k.Up, k.Down, common.With(k.Enter, "home")}
	}
	return []key.Binding{k.Up, k.Down, common.With(k.Device, "rehearse on device"), common.With(k.Enter, "home")}
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
	case key.Matches(k, m.c.Keys.Enter), key.Matches(k, m.c.Keys.Back):
		return m, common.Emit(common.HomeMsg{})
	case key.Matches(k, m.c.Keys.Device) && m.bundle:
		return m, common.Emit(RehearseMsg{BundlePath: m.exp.BundlePath})
	}
	m.body = m.body.Update(k)
	return m, nil
}

// View implements common.Component.
func (m Model) View() string {
	lines := append(m.body.Lines(), m.c.Styles.Subtle.Render(m.body.Position()))
	return m.c.Body(lines)
}
