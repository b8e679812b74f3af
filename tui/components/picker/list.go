package picker

import (
	"signbox/tui/common"

	tea "github.com/charmbracelet/bubbletea"
)

// List is a picker over typed rows. The rows and their rendered lines are
// set together, so the row a page acts on is always the one the cursor
// marks on screen.
type List[T any] struct {
	rows   []T
	render func(T) string
	view   Model
}

// NewList builds an empty list showing height lines, each row drawn by
// render.
func NewList[T any](c common.Common, height int, render func(T) string) List[T] {
	return List[T]{render: render, view: New(c, nil, height)}
}

// SetRows replaces the rows, keeping the cursor in range.
func (l List[T]) SetRows(rows []T) List[T] {
	l.rows = rows
	var items []string
	for _, r := range rows {
		items = append(items, l.render(r))
	}
	l.view = l.view.SetItems(items)
	return l
}

// Rows is every row, in order.
func (l List[T]) Rows() []T { return l.rows }

// Selected is the row under the cursor; false when the list is empty.
func (l List[T]) Selected() (T, bool) {
	i := l.view.Cursor()
	if i < 0 || i >= len(l.rows) {
		var zero T
		return zero, false
	}
	return l.rows[i], true
}

// Position is the cursor's place in the list, as "2/5".
func (l List[T]) Position() string { return l.view.Position() }

// SetWidth sets the width lines are truncated to.
func (l List[T]) SetWidth(w int) List[T] {
	l.view = l.view.SetWidth(w)
	return l
}

// Update moves the cursor.
func (l List[T]) Update(msg tea.Msg) List[T] {
	l.view = l.view.Update(msg)
	return l
}

// Lines renders the visible rows.
func (l List[T]) Lines() []string { return l.view.Lines() }
