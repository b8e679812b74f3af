package common

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Body joins a page's lines, cut to the body height and width so a page
// can never push the help line off an 80×24 screen.
func (c Common) Body(lines []string) string {
	if len(lines) > c.Size.Height {
		lines = lines[:c.Size.Height]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = Truncate(l, c.Size.Width)
	}
	return strings.Join(out, "\n")
}

// Busy is the line shown while a call runs.
func (c Common) Busy(what string) string {
	return c.Styles.Warn.Render("Working: "+what) + c.Styles.Subtle.Render("  (esc cancels)")
}

// Section renders a heading line.
func (c Common) Section(title string) string {
	return c.Styles.Title.Render(title)
}

// Pair renders "label   value" with the label padded to width w.
func (c Common) Pair(label string, w int, value string) string {
	return c.Styles.Bold.Render(pad(label, w)) + " " + value
}

func pad(s string, w int) string {
	if n := len([]rune(s)); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// Pad right-pads s to w runes (for plain-text table columns).
func Pad(s string, w int) string { return pad(s, w) }

// FullHelpOf is the FullHelp every page uses: its short help in one column.
func FullHelpOf(short []key.Binding) [][]key.Binding { return [][]key.Binding{short} }
