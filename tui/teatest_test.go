package tui

import (
	"bytes"
	"testing"
	"time"

	"signbox/tui/tuitest"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// waitFor is a generous WaitFor: -race on two shared cores is slow, and
// nothing here depends on timing.
func waitFor(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func press(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

// TestTeaReleaseCeremony runs the whole release ceremony through a real
// bubbletea program, with engine calls and progress on their own
// goroutines, and checks the final model.
func TestTeaReleaseCeremony(t *testing.T) {
	eng := tuitest.New()
	eng.Gate = make(chan struct{})
	opts := testOptions()
	opts.Start = ScreenRelease
	tm := teatest.NewTestModel(t, New(eng, opts), teatest.WithInitialTermSize(80, 24))

	waitFor(t, tm, "Import media")
	press(tm, "enter")
	waitFor(t, tm, "Security version")
	press(tm, "enter")
	waitFor(t, tm, "Gate: CLOSED")
	press(tm, "enter", "tab", "right", "tab", "tab")
	tm.Type("TLS 1.3 is disabled")
	press(tm, "enter")
	waitFor(t, tm, "1 decided")
	press(tm, "down", "enter", "tab", "right", "tab", "tab")
	tm.Type("IPv6 is not enabled")
	press(tm, "enter")
	waitFor(t, tm, "Gate: OPEN")
	press(tm, "c")
	waitFor(t, tm, "3b7e 1f0a")
	press(tm, "pgdown", "pgdown", "pgdown", "pgdown", "enter")
	waitFor(t, tm, "Approvals 0 of 2")
	press(tm, "enter", "enter")
	tm.Type("1234")
	press(tm, "enter")
	waitFor(t, tm, "alice approved")
	press(tm, "down", "enter", "enter")
	tm.Type("1234")
	press(tm, "enter")
	waitFor(t, tm, "Quorum reached")
	press(tm, "c")
	waitFor(t, tm, "Sign the release now?")
	press(tm, "y")
	// Progress arrives while Execute is held at the gate.
	waitFor(t, tm, "4/4")
	close(eng.Gate)
	waitFor(t, tm, "Every step completed")
	press(tm, "enter")
	waitFor(t, tm, "All checks passed")
	press(tm, "enter")
	waitFor(t, tm, "Media path:")
	press(tm, "enter", "y")
	waitFor(t, tm, "Ceremony complete")
	press(tm, "ctrl+c")

	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if !ok {
		t.Fatalf("final model is %T", fm)
	}
	if fm.fl.step() != stDone || fm.fl.export.BundlePath != "/media/usb/infusion-pump-1.4.0" || !fm.fl.executed {
		t.Fatalf("final flow = %+v", fm.fl)
	}
	if fm.fl.plan.Quorum.Need != 2 || fm.lastBundle == "" {
		t.Fatalf("final model lost the plan or bundle: %+v", fm.fl.plan)
	}
	for _, p := range eng.PINs() {
		if !bytes.Equal(p, make([]byte, len(p))) {
			t.Fatal("a PIN was not zeroed")
		}
	}
}

// TestTeaQuitCancelsRunningCall quits while Execute is blocked and checks
// the program ends (the engine's context was cancelled).
func TestTeaQuitCancelsRunningCall(t *testing.T) {
	eng := tuitest.New()
	eng.Gate = make(chan struct{}) // never opened
	opts := testOptions()
	opts.Start = ScreenRelease
	tm := teatest.NewTestModel(t, New(eng, opts), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Import media")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	// Inside a ceremony ctrl+c asks first; before any plan there is
	// nothing to keep, so a second ctrl+c (or y) quits.
	waitFor(t, tm, "Press y to leave and quit signbox")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if !fm.quitting || fm.base.Ctx.Err() == nil {
		t.Fatal("quit did not cancel the engine context")
	}
}

// TestTeaResumeAfterRestart is the kill-mid-approval flow through real
// bubbletea programs on one fake engine: start a release, approve as
// alice, ctrl+c and confirm keeping it; a new program (the appliance
// restarted: the shares are gone, the plan and alice's approval are not)
// lists it on the home screen; resume, alice presents her share, bob
// approves, sign, verify, export.
func TestTeaResumeAfterRestart(t *testing.T) {
	eng := tuitest.New()
	opts := testOptions()
	opts.Start = ScreenRelease
	tm := teatest.NewTestModel(t, New(eng, opts), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Import media")
	press(tm, "enter")
	waitFor(t, tm, "Security version")
	press(tm, "enter")
	waitFor(t, tm, "Gate: CLOSED")
	for _, next := range []string{"1 decided", "Gate: OPEN"} {
		press(tm, "enter", "tab", "right", "tab", "tab")
		tm.Type("not reachable in this build")
		press(tm, "enter")
		waitFor(t, tm, next)
	}
	press(tm, "c")
	waitFor(t, tm, "3b7e 1f0a")
	press(tm, "pgdown", "pgdown", "pgdown", "pgdown", "enter")
	waitFor(t, tm, "Approvals 0 of 2")
	press(tm, "enter", "enter")
	tm.Type("1234")
	press(tm, "enter")
	waitFor(t, tm, "alice approved")
	press(tm, "ctrl+c")
	waitFor(t, tm, "the plan and its 1 approval stay on disk")
	press(tm, "k")
	first, ok := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if !ok || !first.quitting {
		t.Fatalf("the first program did not quit: %T", first)
	}
	if got := eng.Suspended(); len(got) != 1 || eng.Step("plan-release") != "planned" {
		t.Fatalf("after keep and quit: suspended %v, step %q", got, eng.Step("plan-release"))
	}

	eng.Restart()
	opts.Start = ScreenHome
	tm = teatest.NewTestModel(t, New(eng, opts), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Unfinished ceremonies (1)")
	press(tm, "u")
	waitFor(t, tm, "1 of 2 approvals")
	press(tm, "enter")
	waitFor(t, tm, "share needed")
	press(tm, "enter", "enter")
	tm.Type("1234")
	press(tm, "enter")
	waitFor(t, tm, "alice presented their share")
	press(tm, "down", "enter", "enter")
	tm.Type("1234")
	press(tm, "enter")
	waitFor(t, tm, "Quorum reached")
	press(tm, "c")
	waitFor(t, tm, "Sign the release now?")
	press(tm, "y")
	waitFor(t, tm, "Every step completed")
	press(tm, "enter")
	waitFor(t, tm, "All checks passed")
	press(tm, "enter")
	waitFor(t, tm, "Media path:")
	press(tm, "enter", "y")
	waitFor(t, tm, "Ceremony complete")
	press(tm, "ctrl+c")

	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if !ok {
		t.Fatalf("final model is %T", fm)
	}
	if fm.fl.step() != stDone || fm.fl.plan.ID != "plan-release" || fm.fl.export.BundlePath == "" {
		t.Fatalf("final flow = %+v", fm.fl)
	}
	if got := eng.Step("plan-release"); got != "exported" {
		t.Fatalf("ceremony is %q after the resumed run", got)
	}
	if len(eng.Aborted()) != 0 {
		t.Fatalf("a kept ceremony was aborted: %v", eng.Aborted())
	}
}

// TestTeaApproveDisabledUntilLastPage: at 80×24 the plan is three pages;
// "digest matches" is refused (and missing from the help line) until the
// last page was on screen, jumping to the end does not count the pages in
// between, and a resize re-cuts the pages so they are read again.
func TestTeaApproveDisabledUntilLastPage(t *testing.T) {
	eng := tuitest.New()
	opts := testOptions()
	opts.Start = ScreenRelease
	tm := teatest.NewTestModel(t, New(eng, opts), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Import media")
	press(tm, "enter")
	waitFor(t, tm, "Security version")
	press(tm, "enter")
	waitFor(t, tm, "Gate: CLOSED")
	for _, next := range []string{"1 decided", "Gate: OPEN"} {
		press(tm, "enter", "tab", "right", "tab", "tab")
		tm.Type("not reachable in this build")
		press(tm, "enter")
		waitFor(t, tm, next)
	}
	press(tm, "c")
	waitFor(t, tm, "Page 1 of 3")
	press(tm, "enter")
	waitFor(t, tm, "pages 2, 3 of 3 have not been shown")
	press(tm, "G") // the last page, skipping page 2
	waitFor(t, tm, "Page 3 of 3")
	press(tm, "enter")
	waitFor(t, tm, "pages 2 of 3 have not been shown")
	press(tm, "pgup")
	waitFor(t, tm, "Page 2 of 3")
	press(tm, "pgdown")
	waitFor(t, tm, "Every page shown: enter if the digest matches") // the help line too: golden 06-plan-last-page
	// A smaller terminal re-cuts the plan: read it again.
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 26})
	waitFor(t, tm, "Page 1 of")
	press(tm, "enter")
	waitFor(t, tm, "have not been shown")
	press(tm, "pgdown", "pgdown", "pgdown", "pgdown")
	waitFor(t, tm, "Every page shown")
	press(tm, "enter")
	waitFor(t, tm, "Approvals 0 of 2")
	press(tm, "ctrl+c", "k")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if fm.fl.plan.ID != "plan-release" {
		t.Fatalf("the plan was not accepted: %+v", fm.fl.plan)
	}
}
