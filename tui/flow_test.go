package tui

import (
	"strings"
	"testing"
)

func TestReleaseFlowSynchronous(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.mustSee("step 1 of 8 · Import media")
	h.keys("enter")
	h.mustSee("Review the request")
	h.keys("enter")
	h.mustSee("Vulnerability triage")
	h.keys("enter", "right") // not_affected -> exploitable? no: start at not_affected
	t.Log(h.view())
	_ = strings.Contains
}
