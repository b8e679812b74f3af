package common

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Interrupt is the back key while a call runs, the same on every page: it
// cancels o's call and shows cancelled, which says what became of the
// work and how to start it again. It reports whether it took the key, so
// the page handles it no further.
func Interrupt(k tea.KeyMsg, keys KeyMap, o *Op, problem **Problem, cancelled Problem) bool {
	if !key.Matches(k, keys.Back) || !o.Running() {
		return false
	}
	*o = o.Cancel()
	*problem = &cancelled
	return true
}
