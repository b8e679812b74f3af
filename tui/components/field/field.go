// Package field builds the text inputs pages use: bubbles textinput with
// styles from the shared renderer and a steady cursor, so screens are the
// same in every terminal and in golden files.
package field

import (
	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
)

// New returns a focused input with the given prompt and value.
func New(c common.Common, prompt, value string, width int) textinput.Model {
	t := textinput.New()
	t.Prompt = prompt
	t.SetValue(value)
	t.CharLimit = 1024
	t.Width = max(width-len(prompt)-1, 10)
	t.PromptStyle = c.Styles.Bold
	t.TextStyle = c.Styles.Title.UnsetBold()
	t.PlaceholderStyle = c.Styles.Subtle
	t.Cursor.Style = c.Styles.Cursor
	t.Cursor.TextStyle = c.Styles.Title.UnsetBold()
	t.Cursor.SetMode(cursor.CursorStatic)
	t.Focus()
	return t
}
