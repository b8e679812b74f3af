package tui

import (
	"fmt"
	"strings"

	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
)

// minSize is the terminal the screens are laid out for. Below it only the
// guard is drawn: a digest cut in half or a PIN field pushed off screen
// must never sit under a key that still approves.
var minSize = common.DefaultSize()

// View draws header, page, note and help line; always exactly the
// terminal height.
func (m model) View() string {
	if m.quitting {
		return ""
	}
	if m.tooSmall() {
		return m.smallView()
	}
	s := m.base.Styles
	body := m.page.View()
	helpLine := m.help.ShortHelpView(m.page.ShortHelp())
	switch {
	case m.leave != nil:
		body, helpLine = m.leaveView(), m.help.ShortHelpView(m.leaveHelp())
	case m.helpOpen:
		body, helpLine = m.helpView(), m.help.ShortHelpView([]key.Binding{common.With(m.base.Keys.Back, "close help")})
	}
	lines := []string{m.headerLine(), s.Subtle.Render(strings.Repeat("─", m.size.Width))}
	bodyLines := strings.Split(body, "\n")
	h := m.size.Body().Height
	for len(bodyLines) < h {
		bodyLines = append(bodyLines, "")
	}
	lines = append(lines, bodyLines[:h]...)
	note := m.note
	if m.recording != "" {
		note = s.Warn.Render("Working: " + m.recording)
	}
	lines = append(lines, common.Truncate(note, m.size.Width), helpLine)
	return strings.Join(lines, "\n")
}

// headerLine is the header with, on its right, how to open the help.
func (m model) headerLine() string {
	s := m.base.Styles
	left := s.Header.Render(m.header())
	hint := "? help"
	if common.Typing(m.page) && m.leave == nil && !m.helpOpen {
		hint = "f1 help"
	}
	if m.helpOpen {
		hint = "esc closes help"
	}
	if sp := m.spinnerText(); sp != "" {
		hint = sp + " · " + hint
	}
	gap := m.size.Width - ansi.StringWidth(left) - len(hint)
	if gap < 2 {
		return common.Truncate(left, m.size.Width)
	}
	return left + strings.Repeat(" ", gap) + s.Subtle.Render(hint)
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

// bodyOf fits lines to the page body.
func (m model) bodyOf(lines []string) string {
	c := m.base
	c.Size = m.size.Body()
	return c.Body(lines)
}

// helpView is the ? overlay: every key of the current screen, then the
// keys that work everywhere.
func (m model) helpView() string {
	s := m.base.Styles
	k := m.base.Keys
	lines := []string{s.Title.Render("Help: " + m.page.Title()), "", s.Bold.Render("Keys on this screen")}
	seen := map[string]bool{}
	for _, col := range m.page.FullHelp() {
		for _, b := range col {
			h := b.Help()
			if !b.Enabled() || h.Key == "" || seen[h.Key+h.Desc] {
				continue
			}
			seen[h.Key+h.Desc] = true
			lines = append(lines, "  "+s.HelpKey.Render(common.Pad(h.Key, 10))+" "+h.Desc)
		}
	}
	lines = append(lines, "", s.Bold.Render("Keys everywhere"),
		"  "+s.HelpKey.Render(common.Pad(k.Help.Help().Key, 10))+" this help (f1 while typing in a field)",
		"  "+s.HelpKey.Render(common.Pad("esc", 10))+" back or cancel; inside a ceremony it asks before leaving",
		"  "+s.HelpKey.Render(common.Pad(k.ForceQ.Help().Key, 10))+" quit; inside a ceremony it asks first and says what is kept",
		"", "Press esc or ? to close.")
	return m.bodyOf(lines)
}

// smallView is all that is drawn below minSize.
func (m model) smallView() string {
	w, h := max(m.size.Width, 1), max(m.size.Height, 1)
	text := []string{
		fmt.Sprintf("Terminal too small: need %d×%d, have %d×%d.", minSize.Width, minSize.Height, m.size.Width, m.size.Height),
		"Enlarge the window. Until then no key acts, so nothing is approved or typed unseen.",
		"ctrl+c quits; an open ceremony stays on disk, resumable.",
	}
	var lines []string
	for _, t := range text {
		lines = append(lines, common.Wrap(t, w)...)
	}
	for i := range lines {
		lines[i] = common.Truncate(lines[i], w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:h], "\n")
}
