package tui

import "testing"

// TestAuditLogFilter: the audit log is a long list: its position shows,
// "/" filters the entries as typed, enter keeps the filter, esc clears it
// before it leaves, and g/G jump to the ends.
func TestAuditLogFilter(t *testing.T) {
	h := newHarness(t, ScreenAudit)
	h.mustSee("30 entries  lines")
	h.keys("g")
	h.mustSee("    1 2026-11-21T09:00:00Z")
	h.keys("/")
	h.mustSee("f1 help")
	h.keys("entry 2")
	h.mustSee(`filter "entry 2": 11 of 30 entries`)
	h.keys("enter")
	h.mustSee("esc clear the filter")
	h.mustNotSee("entry 17")
	h.keys("esc")
	h.mustSee("30 entries")
	h.mustSee("Audit log")
	h.keys("esc")
	h.mustSee("Workspace and HSM status")
}
