package tui

import "testing"

// BenchmarkViewPlan measures one full 80×24 frame of the busiest screen
// (plan review): the cost bubbletea pays per render.
func BenchmarkViewPlan(b *testing.B) {
	h := newHarness(b, ScreenRelease)
	h.keys("enter", "enter", "enter", "tab", "right", "tab", "tab", "x", "enter",
		"down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c")
	if v := h.view(); len(v) == 0 {
		b.Fatal("empty view")
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.m.View()
	}
}
