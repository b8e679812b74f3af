package tui

import (
	"bytes"
	"errors"
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
	h.keys("down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c", "enter")
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
	h.keys("down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c", "enter")
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
	h.keys("n")
	h.mustSee("Approvals 2 of 2")
	h.keys("esc", "y")
	h.mustSee("Workspace and HSM status")
	h.mustSee("abort is recorded")
	if got := h.eng.Aborted(); len(got) != 1 || got[0] != "plan-release" {
		t.Fatalf("Aborted = %v", got)
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

func TestSmallTerminalKeepsHelpLine(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.keys("enter", "enter")
	h.send(tea.WindowSizeMsg{Width: 60, Height: 12})
	lines := strings.Split(h.view(), "\n")
	if len(lines) != 12 || !strings.Contains(lines[11], "enter") {
		t.Fatalf("help line lost at 60x12:\n%s", h.view())
	}
}
