package common

import (
	"errors"
	"strings"

	"signbox/tui/api"
)

// Problem is an error as the operator sees it: what happened and what to
// do next.
type Problem struct {
	What string
	Next string
}

// NewProblem explains err. fallback is the page's advice for when the
// error carries no hint of its own.
func NewProblem(err error, fallback string) *Problem {
	if err == nil {
		return nil
	}
	p := &Problem{What: err.Error(), Next: fallback}
	var h api.Hinter
	if errors.As(err, &h) && h.Hint() != "" {
		p.Next = h.Hint()
	}
	return p
}

// ErrorLines renders p within width as "Error: …" and "Next: …" lines.
func (s Styles) ErrorLines(p *Problem, width int) []string {
	if p == nil {
		return nil
	}
	out := []string{}
	for i, l := range Wrap("Error: "+p.What, width) {
		if i == 0 {
			l = s.Error.Render(l)
		}
		out = append(out, l)
	}
	if p.Next != "" {
		out = append(out, Wrap("Next: "+p.Next, width)...)
	}
	return out
}

// Wrap breaks text into lines of at most width columns on spaces.
func Wrap(text string, width int) []string {
	if width < 10 {
		width = 10
	}
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		for len([]rune(w)) > width {
			if line != "" {
				lines, line = append(lines, line), ""
			}
			r := []rune(w)
			lines, w = append(lines, string(r[:width])), string(r[width:])
		}
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines, line = append(lines, line), w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// WrapIndent wraps text to width with first prefixed to the first line
// and rest to the others, so long plan lines, digests and signatures are
// shown whole instead of cut off.
func WrapIndent(text string, width int, first, rest string) []string {
	lines := Wrap(text, width-len([]rune(first)))
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return lines
}
