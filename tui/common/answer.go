package common

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Answer reads a key as the reply to a y/n question: yes on the yes key,
// no on the no or back key (backing out never says yes). answered is
// false for any other key, which leaves the question open.
func Answer(k tea.KeyMsg, keys KeyMap) (yes, answered bool) {
	switch {
	case key.Matches(k, keys.Yes):
		return true, true
	case key.Matches(k, keys.No), key.Matches(k, keys.Back):
		return false, true
	}
	return false, false
}
