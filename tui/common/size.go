package common

// Size is the terminal size. The layout is designed for 80×24 and degrades
// (scrolling, truncation) below that rather than wrapping.
type Size struct {
	Width, Height int
}

// Chrome is the lines the frame uses around a page body: header, rule,
// status line and help line.
const Chrome = 4

// DefaultSize is what the TUI assumes before the first WindowSizeMsg: the
// 80×24 the screens are designed for.
func DefaultSize() Size { return Size{Width: 80, Height: 24} }

// Body is the page area for a terminal of this size.
func (s Size) Body() Size {
	return Size{Width: s.Width, Height: max(s.Height-Chrome, 3)}
}
