package tui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// walkToPlan drives a release ceremony to Plan review: the plan is built
// (and recorded) but not accepted.
func walkToPlan(t *testing.T, h *harness) {
	t.Helper()
	h.keys("enter", "enter")
	h.keys("enter", "tab", "right", "tab", "tab", "x", "enter")
	h.keys("down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c")
	h.mustSee("step 4 of 8 · Plan review")
}

func (h *harness) mustNotSee(unwanted string) {
	h.t.Helper()
	if v := h.view(); strings.Contains(v, unwanted) {
		h.t.Fatalf("screen shows %q:\n%s", unwanted, v)
	}
}

func (h *harness) root() model { return h.m.(model) }

func TestLeaveBeforeAnyPlan(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.keys("esc")
	h.mustSee("Nothing has been imported, signed or recorded in this ceremony yet.")
	h.mustSee("y leave the ceremony")
	h.keys("n")
	h.mustSee("step 1 of 8 · Import media")

	h.keys("enter") // imported: recorded, but no plan
	h.mustSee("Review the request")
	h.keys("esc") // back one step: nothing changes
	h.mustSee("step 1 of 8 · Import media")
	h.keys("enter")
	h.mustSee("Review the request")
	h.keys("esc", "esc")
	h.mustSee("No plan exists yet")
	h.mustNotSee("Nothing has been imported")
	h.keys("y")
	h.mustSee("Workspace and HSM status")
	h.mustSee("The imported media stays recorded.")
	if len(h.eng.Aborted())+len(h.eng.Suspended()) != 0 {
		t.Fatalf("leaving without a plan recorded something: aborted %v suspended %v", h.eng.Aborted(), h.eng.Suspended())
	}
}

// TestLeaveAtPlanReview: the engine recorded CEREMONY_STARTED when it
// built the plan, so the screen must not say nothing was recorded; it
// offers to keep the plan or to abort it.
func TestLeaveAtPlanReview(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("esc")
	h.mustNotSee("Nothing has been signed or recorded yet")
	h.mustNotSee("Nothing has been imported")
	h.mustSee("Ceremony plan-release is planned: 0 approvals of 2.")
	h.mustSee("the plan stays on disk (no approvals yet)")
	h.mustSee("the ceremony is aborted and recorded")
	h.keys("k")
	h.mustSee("Workspace and HSM status")
	h.mustSee("Kept plan-release for later; the appliance token is locked.")
	h.mustSee("Unfinished ceremonies (1)")
	h.mustSee("plan-release   Release signing 2026-11-21  planned, 0 of 2 approvals")
	if got := h.eng.Suspended(); len(got) != 1 || got[0] != "plan-release" {
		t.Fatalf("Suspended = %v", got)
	}
	if h.eng.Step("plan-release") != "planned" || len(h.eng.Aborted()) != 0 {
		t.Fatalf("keeping changed the plan: step %q aborted %v", h.eng.Step("plan-release"), h.eng.Aborted())
	}
}

func TestLeaveSaysWhatIsKept(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("readplan", "enter", "enter", "1", "2", "3", "4", "enter")
	h.mustSee("Approvals 1 of 2")
	h.keys("esc")
	h.mustSee("planned: 1 approval of 2 (alice)")
	h.mustSee("the plan and its 1 approval stay on disk; the appliance")
	h.mustSee("token stays locked; resume it from the home screen.")
	h.keys("n", "down", "enter", "enter", "1", "2", "3", "4", "enter", "c", "y")
	h.mustSee("Every step completed")
	h.keys("esc")
	h.mustSee("has signed; nothing has been exported.")
	h.mustSee("the signed outputs stay on disk and are never signed")
	h.mustSee("its outputs are never shipped")
}

func TestAbortReasonIsConfirmed(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("esc", "x")
	h.mustSee("Reason: operators left at: Plan review")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlU}) // clear the field
	h.keys("enter")
	h.mustSee("no reason given")
	h.mustSee("Abort ceremony plan-release?")
	h.keys("digest differs from the independent machine", "enter")
	h.mustSee("Ceremony plan-release aborted; the abort is recorded in the audit log.")
	if got := h.eng.AbortReason("plan-release"); got != "digest differs from the independent machine" {
		t.Fatalf("abort reason = %q", got)
	}
	h.mustNotSee("Unfinished ceremonies")
}

func TestAbortFailureStaysInCeremony(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.eng.Fail["Abort"] = errors.New("audit log: disk full")
	h.keys("esc", "x", "enter")
	h.mustSee("step 4 of 8 · Plan review")
	h.mustSee("Could not record the abort of plan-release: audit log: disk full")
}

func TestCtrlC(t *testing.T) {
	type check func(t *testing.T, h *harness)
	quits := func(t *testing.T, h *harness) {
		t.Helper()
		if !h.root().quitting {
			t.Fatalf("did not quit:\n%s", h.view())
		}
	}
	stays := func(t *testing.T, h *harness) {
		t.Helper()
		if h.root().quitting || h.root().leave != nil {
			t.Fatalf("did not stay in the ceremony:\n%s", h.view())
		}
		h.mustSee("step 4 of 8 · Plan review")
	}
	kept := func(t *testing.T, h *harness) {
		t.Helper()
		quits(t, h)
		if got := h.eng.Suspended(); len(got) != 1 || h.eng.Step("plan-release") != "planned" {
			t.Fatalf("suspended %v, step %q", got, h.eng.Step("plan-release"))
		}
	}
	aborted := func(t *testing.T, h *harness) {
		t.Helper()
		quits(t, h)
		if h.eng.AbortReason("plan-release") != "operators left at: Plan review" {
			t.Fatalf("abort reason %q", h.eng.AbortReason("plan-release"))
		}
	}
	for _, tc := range []struct {
		name string
		keys []string
		want check
	}{
		{"asks first", nil, func(t *testing.T, h *harness) {
			h.mustSee("Leave this ceremony?")
			h.mustSee("k keep and quit • x abort and quit • n stay")
		}},
		{"n stays", []string{"n"}, stays},
		{"esc stays", []string{"esc"}, stays},
		{"k keeps and quits", []string{"k"}, kept},
		{"ctrl+c again keeps and quits", []string{"ctrl+c"}, kept},
		{"x aborts with the reason and quits", []string{"x", "enter"}, aborted},
		{"esc at the reason goes back to the question", []string{"x", "esc"}, func(t *testing.T, h *harness) {
			h.mustSee("k keep and quit")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, ScreenRelease)
			walkToPlan(t, h)
			h.keys("ctrl+c")
			h.keys(tc.keys...)
			tc.want(t, h)
		})
	}
	t.Run("outside a ceremony it quits at once", func(t *testing.T) {
		h := newHarness(t, ScreenHome)
		h.keys("ctrl+c")
		quits(t, h)
	})
}

func TestHelpOverlay(t *testing.T) {
	h := newHarness(t, ScreenHome)
	h.keys("?")
	h.mustSee("Help: Workspace and HSM status")
	h.mustSee("d          device rehearsal")
	h.mustSee("ctrl+c     quit; inside a ceremony it asks first")
	h.keys("a", "enter") // keys other than the closing ones do nothing; enter closes
	h.mustSee("Workspace and HSM status")
	h.mustNotSee("Help:")
	h.mustSee("Workspace  /media/ws") // not the audit page

	// While a field takes typing, ? is typed and f1 opens the help.
	h = newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("readplan", "enter", "enter", "?")
	h.mustSee("PIN: ••••••_")
	h.mustSee("f1 help")
	h.send(tea.KeyMsg{Type: tea.KeyF1})
	h.mustSee("Help: Approvals")
	h.mustSee("approve with this PIN")
	h.keys("esc")
	h.mustSee("PIN: ••••••_")
}

func TestWrongPINsShowTheTokenFlags(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("readplan", "enter", "enter")
	for _, want := range []string{"Token says: PIN count low.", "Token says: FINAL TRY.", "Token says: PIN LOCKED."} {
		h.keys("9", "9", "enter")
		h.mustSee(want)
	}
	h.mustNotSee("PIN: ")
	h.mustSee("Next: another custodian approves; the security officer resets alice's PIN")
	h.mustSee("> [ ] alice")
}

func TestPastedPINApproves(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("readplan", "enter", "enter")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("1234\n"), Paste: true})
	h.keys("enter")
	h.mustSee("alice approved the plan.")
}

func TestTriageFilterAndPosition(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.keys("enter", "enter")
	h.mustSee("2 to decide. Feed of 2026-11-20.  1/2")
	h.keys("G")
	h.mustSee("Feed of 2026-11-20.  2/2")
	h.keys("g", "/", "lwip")
	h.mustSee("Filter: lwip")
	h.mustNotSee("GHSA-2023-mbedtls")
	h.keys("enter")
	h.mustSee(`Filter "lwip": 1 of 2 findings.  1/1`)
	h.keys("enter")
	h.mustSee("Decide OSV-2024-lwip-17")
	h.keys("esc", "esc") // discard the form, then clear the filter
	h.mustSee("2 findings, 0 decided, 2 to decide.")
	h.keys("/", "nothing like this", "enter")
	h.mustSee("0 of 2 findings.  0/0")
	h.keys("enter") // nothing selected: nothing happens
	h.mustNotSee("Decide ")
	h.keys("esc", "esc")
	h.mustSee("Leave this ceremony?")
}

func TestUnfinishedAbort(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("esc", "k", "u")
	h.mustSee("Unfinished ceremonies")
	h.mustSee("> plan-release    Release signing  2026-11-21  planned   0 of 2 approvals")
	h.keys("x")
	h.mustSee("Reason: not resumed; aborted from the list of unfinished ceremonies")
	h.keys("esc")
	h.mustNotSee("Reason:")
	h.keys("x", "enter")
	h.mustSee("Ceremony plan-release aborted; the abort is recorded in the audit log.")
	h.mustSee("No unfinished ceremonies")
	h.keys("esc")
	h.mustNotSee("Unfinished ceremonies (")
}

func TestUnfinishedListFailureKeepsTheStatus(t *testing.T) {
	h := newHarness(t, ScreenHome)
	h.eng.Fail["Unfinished"] = errors.New("ceremonies/0004-release: state.json: permission denied")
	h.keys("r")
	h.mustSee("Unfinished ceremonies: cannot list them: ceremonies/0004-release")
	h.mustSee("HSM tokens")
}

// TestResumeAfterRestart: approvals stand across a restart, the shares
// do not; the custodian who approved presents theirs by approving again.
func TestResumeAfterRestart(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("readplan", "enter", "enter", "1", "2", "3", "4", "enter", "esc", "k")
	h.eng.Restart()
	h.keys("u", "enter")
	h.mustSee("step 5 of 8 · Approvals")
	h.mustSee("[x] alice            custodian        1 token(s)  share needed")
	h.mustSee("Shares 0 of 2 presented in this session.")
	h.keys("down", "enter", "enter", "1", "2", "3", "4", "enter")
	h.mustSee("bob approved the plan.")
	h.mustNotSee("Quorum reached.")
	h.keys("c")
	h.mustSee("1 of 2 shares presented in this session")
	h.keys("up", "enter")
	h.mustSee("alice: choose your token (it presents your share; your approval stands)")
	h.keys("enter", "1", "2", "3", "4", "enter")
	h.mustSee("alice presented their share; their approval stands.")
	h.mustSee("Quorum reached. Press c to continue to the irreversible step.")
	h.keys("c")
	h.mustSee("Sign the release now?")
}

// TestResumeSignedGoesThroughUnlock: a ceremony signed but not exported
// resumes with the shares, unlocks without signing again, and exports.
func TestResumeSignedGoesThroughUnlock(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToQuorum(t, h)
	h.keys("c", "y", "enter")
	h.mustSee("All checks passed")
	h.keys("esc", "k")
	h.eng.Restart()
	h.keys("u")
	h.mustSee("verified  2 of 2 approvals")
	h.mustSee("Signed earlier, not exported.")
	h.keys("enter")
	h.mustSee("Signed earlier. Those who approved present their shares")
	h.keys("down", "down", "enter")
	h.mustSee("approvals closed when this ceremony signed; carol did not approve it")
	h.keys("up", "up", "enter", "enter", "1", "2", "3", "4", "enter", "down", "enter", "enter", "1", "2", "3", "4", "enter")
	h.mustSee("Press c to continue: unlock for the export.")
	h.keys("c")
	h.mustSee("step 6 of 8 · Unlock for export")
	h.mustSee("Its outputs are")
	h.keys("y")
	h.mustSee("Unlocked. The outputs signed earlier, unchanged:")
	h.keys("enter", "enter", "enter", "y")
	h.mustSee("Ceremony complete.")
	if got := h.eng.Step("plan-release"); got != "exported" {
		t.Fatalf("step after the resumed export = %q", got)
	}
}

// TestOlderModelUnchanged: Update returns a new model; the leave question
// it holds is copied, never changed under an older model value.
func TestOlderModelUnchanged(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("esc", "x")
	before := h.m
	v := before.View()
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.keys(" and more")
	if before.View() != v {
		t.Fatalf("an older model changed:\n%s", before.View())
	}
	h.mustSee("Reason: operators left at: Plan review and more")
}

// TestPlanPagesShowEveryRow: paging through the plan at 80×24 shows every
// row the engine sent — each value whole, wrapped but never cut — and
// only the last page enables "digest matches".
func TestPlanPagesShowEveryRow(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	var shown strings.Builder
	for range 6 {
		shown.WriteString(h.view())
		h.keys("pgdown")
	}
	flat := strings.Join(strings.Fields(shown.String()), "")
	rows := 0
	for _, s := range h.root().fl.plan.Sections {
		for _, r := range s.Rows {
			rows++
			if !strings.Contains(flat, strings.Join(strings.Fields(r.Value), "")) {
				t.Errorf("row %s = %q is on no plan page", r.Path, r.Value)
			}
		}
	}
	if rows < 10 {
		t.Fatalf("the plan has %d rows; the fake should span pages", rows)
	}
	h.mustSee("Every page shown")
}
