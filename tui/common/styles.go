package common

import "github.com/charmbracelet/lipgloss"

// Styles is every style the TUI uses, built on one renderer so the colour
// profile (and NO_COLOR) is decided in one place. Nothing may depend on
// colour alone: every state also has a word or a marker.
type Styles struct {
	Header   lipgloss.Style
	Title    lipgloss.Style
	Subtle   lipgloss.Style
	Bold     lipgloss.Style
	OK       lipgloss.Style
	Warn     lipgloss.Style
	Error    lipgloss.Style
	Selected lipgloss.Style
	Digest   lipgloss.Style
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style
	Cursor   lipgloss.Style
}

// NewStyles builds the styles on r.
func NewStyles(r *lipgloss.Renderer) Styles {
	s := r.NewStyle
	return Styles{
		Header:   s().Bold(true).Foreground(lipgloss.Color("12")),
		Title:    s().Bold(true),
		Subtle:   s().Foreground(lipgloss.Color("8")),
		Bold:     s().Bold(true),
		OK:       s().Foreground(lipgloss.Color("10")),
		Warn:     s().Foreground(lipgloss.Color("11")).Bold(true),
		Error:    s().Foreground(lipgloss.Color("9")).Bold(true),
		Selected: s().Bold(true).Foreground(lipgloss.Color("14")),
		Digest:   s().Bold(true).Foreground(lipgloss.Color("13")),
		HelpKey:  s().Bold(true),
		HelpDesc: s().Foreground(lipgloss.Color("8")),
		HelpSep:  s().Foreground(lipgloss.Color("8")),
		Cursor:   s().Reverse(true),
	}
}
