package status

// Busy reports an engine call in flight; the root shows a spinner once it
// has run for more than a moment.
func (m Model) Busy() bool { return m.op.Running() }
