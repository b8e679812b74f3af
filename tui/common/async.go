package common

import (
	"context"

	"signbox/tui/api"

	tea "github.com/charmbracelet/bubbletea"
)

// Tag identifies one asynchronous call: the page instance that started it
// and that page's call number. The root drops results for any page that is
// no longer shown, and a page drops results for calls it has cancelled or
// replaced, so a late result never changes the screen.
type Tag struct {
	Page int
	Op   int
}

// Tagged is implemented by every message an async call produces.
type Tagged interface{ CallTag() Tag }

// Result is the typed outcome of one engine call.
type Result[T any] struct {
	Tag   Tag
	Value T
	Err   error
}

// CallTag implements Tagged.
func (r Result[T]) CallTag() Tag { return r.Tag }

// ProgressMsg is one progress event from a running call.
type ProgressMsg struct {
	Tag      Tag
	Progress api.Progress
}

// CallTag implements Tagged.
func (p ProgressMsg) CallTag() Tag { return p.Tag }

// Op tracks a page's current call. The zero value is idle.
type Op struct {
	tag     Tag
	cancel  context.CancelFunc
	running bool
}

// Running reports whether a call is in flight.
func (o Op) Running() bool { return o.running }

// Owns reports whether t belongs to the current, uncancelled call.
func (o Op) Owns(t Tag) bool { return o.running && o.tag == t }

// Done marks the call finished; its result has been taken.
func (o Op) Done() Op {
	if o.cancel != nil {
		o.cancel()
	}
	o.running, o.cancel = false, nil
	return o
}

// Cancel cancels the call's context; its result will be ignored.
func (o Op) Cancel() Op { return o.Done() }

// Start begins a new call of fn under c.Ctx. fn runs inside the returned
// command, so it must capture its inputs by value.
func Start[T any](c Common, o Op, fn func(ctx context.Context) (T, error)) (Op, tea.Cmd) {
	o = o.Cancel()
	tag := Tag{Page: c.Page, Op: o.tag.Op + 1}
	ctx, cancel := context.WithCancel(c.Ctx)
	cmd := func() tea.Msg {
		v, err := fn(ctx)
		return Result[T]{Tag: tag, Value: v, Err: err}
	}
	return Op{tag: tag, cancel: cancel, running: true}, cmd
}

// Tag returns the current call's tag, for progress waiters.
func (o Op) Tag() Tag { return o.tag }

// WaitProgress waits for the next event on ch. The page re-arms it after
// each ProgressMsg; when ch is closed it yields nothing.
func WaitProgress(tag Tag, ch <-chan api.Progress) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return ProgressMsg{Tag: tag, Progress: p}
	}
}
