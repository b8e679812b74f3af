package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"signbox/tui/tuitest"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// feed feeds one message to m without running the command it returns.
func feed(m tea.Model, msg tea.Msg) (tea.Model, tea.Cmd) { return m.Update(msg) }

func TestCancelledImportResultIgnored(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	m, cmd := feed(h.m, keyMsg("enter")) // starts the import; not run yet
	if cmd == nil {
		t.Fatal("enter did not start the import")
	}
	m, _ = feed(m, keyMsg("esc")) // cancel it
	m, _ = feed(m, cmd())         // the late result arrives
	v := m.View()
	if !strings.Contains(v, "the import was cancelled") || strings.Contains(v, "Review the request") {
		t.Fatalf("late import result changed the screen:\n%s", v)
	}
}

func TestResultForOldPageDropped(t *testing.T) {
	opts := testOptions()
	m := New(tuitest.New(), opts)
	load := m.Init() // the status page's first load, not run yet
	m, cmd := feed(m, keyMsg("enter"))
	if cmd == nil {
		t.Fatal("enter did not leave the status page")
	}
	m, _ = feed(m, cmd()) // ChooseMsg: now on the choose page
	before := m.View()
	m, _ = feed(m, load()) // the status result arrives late
	if after := m.View(); after != before || !strings.Contains(after, "Choose a ceremony") {
		t.Fatalf("stale status result changed the screen:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func walkToQuorum(t *testing.T, h *harness) {
	t.Helper()
	h.keys("enter", "enter")
	h.keys("enter", "tab", "right", "tab", "tab", "x", "enter")
	h.keys("down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c", "readplan")
	h.keys("enter", "enter", "1", "2", "3", "4", "enter", "down", "enter", "enter", "1", "2", "3", "4", "enter")
	h.mustSee("Quorum reached.")
}

func TestCancelWhileSigning(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToQuorum(t, h)
	h.keys("c")
	m, cmd := feed(h.m, keyMsg("y"))
	m, _ = feed(m, keyMsg("esc"))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatalf("y did not start run + progress commands")
	}
	// Run the engine call and drain progress the way bubbletea would.
	var msgs []tea.Msg
	for _, c := range batch {
		msgs = append(msgs, c())
	}
	for _, msg := range msgs {
		m, _ = feed(m, msg)
	}
	v := m.View()
	if !strings.Contains(v, "cancelled while running") || strings.Contains(v, "Every step completed") {
		t.Fatalf("result after cancel changed the screen:\n%s", v)
	}
}

func TestPINNeverRendered(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.keys("enter", "enter", "enter", "tab", "right", "tab", "tab", "x", "enter")
	h.keys("down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c", "readplan")
	h.keys("enter", "enter", "7", "3", "1", "9")
	v := h.view()
	if strings.Contains(v, "7319") || !strings.Contains(v, "PIN: ••••••_") {
		t.Fatalf("PIN rendered or not masked:\n%s", v)
	}
	h.keys("enter") // wrong PIN
	h.mustSee("PIN incorrect")
	for _, p := range h.eng.PINs() {
		if !bytes.Equal(p, make([]byte, len(p))) {
			t.Fatalf("PIN not zeroed after Approve: %q", p)
		}
	}
}

func TestGateClosedRefusesContinue(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.keys("enter", "enter", "c")
	h.mustSee("the vulnerability gate is closed")
	h.mustSee("Vulnerability triage")
}

func TestTriageFormNeedsDetail(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.keys("enter", "enter", "enter", "tab", "right", "enter")
	h.mustSee("the detail is empty")
}

func TestEngineRefusalShownInForm(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	// exploitable without a response: the fake engine refuses.
	h.keys("enter", "enter", "enter", "right", "tab", "tab", "tab", "why", "enter")
	h.mustSee("exploitable needs a response")
	h.mustSee("Decide GHSA-2023-mbedtls")
}

func TestVerifyFailureBlocksExport(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.eng.Fail["Verify"] = errors.New("signature does not verify with sb-slot0")
	walkToQuorum(t, h)
	h.keys("c", "y", "enter")
	h.mustSee("[FAIL]")
	h.mustSee("Do not export")
	h.keys("enter")
	h.mustSee("Verification results")
}

func TestLeaveRecordsAbort(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToQuorum(t, h)
	h.keys("esc")
	h.mustSee("Leave this ceremony?")
	h.mustSee("the plan and its 2 approvals stay on disk")
	h.keys("n")
	h.mustSee("Approvals 2 of 2")
	h.keys("esc", "x")
	h.mustSee("Abort ceremony plan-release?")
	h.mustSee("Reason: operators left at: Approvals")
	h.keys("enter")
	h.mustSee("Workspace and HSM status")
	h.mustSee("abort is recorded")
	if got := h.eng.Aborted(); len(got) != 1 || got[0] != "plan-release" {
		t.Fatalf("Aborted = %v", got)
	}
	if got := h.eng.AbortReason("plan-release"); got != "operators left at: Approvals" {
		t.Fatalf("abort reason = %q", got)
	}
}

func TestNoColor(t *testing.T) {
	render := func(noColor bool) string {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI256)
		opts := testOptions()
		opts.Renderer, opts.NoColor = r, noColor
		h := &harness{t: t, m: New(tuitest.New(), opts)}
		h.run(h.m.Init())
		return h.view()
	}
	if !strings.Contains(render(false), "\x1b[") {
		t.Fatal("ANSI256 profile rendered no colour at all")
	}
	if v := render(true); strings.Contains(v, "\x1b[") {
		t.Fatalf("NoColor still renders escape codes:\n%q", v)
	}
}

// TestTooSmallGuard: below 80×24 only the guard is drawn and no key acts
// (enter would approve a digest or PIN the custodian cannot see); back at
// 80×24 the same screen is drawn again, reflowed, and keys act.
func TestTooSmallGuard(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.keys("enter", "enter")
	h.keys("enter", "tab", "right", "tab", "tab", "x", "enter")
	h.keys("down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c", "readplan")
	h.keys("enter", "enter") // alice's token: the PIN field and the digest
	h.mustSee("PIN: _")
	before := h.view()
	for _, size := range []tea.WindowSizeMsg{{Width: 60, Height: 18}, {Width: 79, Height: 24}, {Width: 80, Height: 23}} {
		h.send(size)
		v := h.view()
		lines := strings.Split(v, "\n")
		if len(lines) != size.Height || !strings.Contains(v, fmt.Sprintf("need 80×24, have %d×%d", size.Width, size.Height)) {
			t.Fatalf("no guard at %dx%d:\n%s", size.Width, size.Height, v)
		}
		for i, l := range lines {
			if w := len([]rune(l)); w > size.Width {
				t.Fatalf("%dx%d: line %d is %d wide", size.Width, size.Height, i+1, w)
			}
		}
		if strings.Contains(v, "PIN:") {
			t.Fatalf("the PIN field shows under the guard:\n%s", v)
		}
		h.keys("1", "2", "3", "4", "enter", "esc", "?")
	}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := h.view(); v != before {
		t.Fatalf("keys acted under the guard, or the screen did not come back:\nbefore:\n%s\nafter:\n%s", before, v)
	}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	if lines := strings.Split(h.view(), "\n"); len(lines) != 30 || !strings.Contains(lines[29], "approve with this PIN") {
		t.Fatalf("no reflow at 100x30:\n%s", h.view())
	}
}

// TestTooSmallCtrlCQuits: the guard cannot show a question, so ctrl+c
// quits at once and the ceremony is simply kept.
func TestTooSmallCtrlCQuits(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.send(tea.WindowSizeMsg{Width: 60, Height: 18})
	m, cmd := feed(h.m, keyMsg("ctrl+c"))
	if !m.(model).quitting || cmd == nil {
		t.Fatal("ctrl+c under the guard did not quit")
	}
}
