package tui

import (
	"strings"
	"testing"

	"signbox/tui/tuitest"
)

// TestSpinnerAfterDelay: a call still running when the delay ends shows
// the spinner in the header; its result removes it; a delay for an older
// call never starts one.
func TestSpinnerAfterDelay(t *testing.T) {
	opts := testOptions()
	opts.Start = ScreenRelease
	opts.SpinAfter = SpinAfter
	m := New(tuitest.New(), opts)
	m, _ = feed(m, keyMsg("enter")) // the import starts; its result is held back
	rm := m.(model)
	if !rm.busy.armed {
		t.Fatal("a running import did not arm the spinner's delay")
	}
	if strings.Contains(m.View(), "working") {
		t.Fatal("spinner shown before the delay")
	}
	m, _ = feed(m, spinDelayMsg{gen: rm.busy.gen - 1})
	if strings.Contains(m.View(), "working") {
		t.Fatal("an older call's delay started the spinner")
	}
	m, cmd := feed(m, spinDelayMsg{gen: rm.busy.gen})
	if !strings.Contains(m.View(), "working") || cmd == nil {
		t.Fatalf("no spinner once the delay ended:\n%s", m.View())
	}
	m, _ = feed(m, keyMsg("esc")) // cancel: nothing in flight
	if strings.Contains(m.View(), "working") {
		t.Fatalf("spinner left after the call ended:\n%s", m.View())
	}
}
