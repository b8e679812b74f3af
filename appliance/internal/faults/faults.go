// Package faults names the points between two writes of the appliance
// that no storage makes atomic, so a test can end the process exactly
// there, as a power cut would, and check what a restart makes of it.
// In production no hook is set and At does nothing.
package faults

// hook is set only by tests, before the appliance is opened, in a process
// of their own (the test binary re-executed), never concurrently.
var hook func(point string)

// Set installs f as the hook and returns the function that removes it.
func Set(f func(point string)) (restore func()) {
	old := hook
	hook = f
	return func() { hook = old }
}

// At marks a point: the hook, if any, runs with its name.
func At(point string) {
	if h := hook; h != nil {
		h(point)
	}
}
