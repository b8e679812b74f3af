package tui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
)

// snap checks the current 80×24 screen against testdata/<test>/<name>.golden
// (regenerate with `go test ./tui -update`).
func snap(t *testing.T, h *harness, name string) {
	t.Helper()
	v := h.view()
	if n := strings.Count(v, "\n") + 1; n != 24 {
		t.Errorf("%s: screen is %d lines, want 24", name, n)
	}
	for i, l := range strings.Split(v, "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Errorf("%s: line %d is %d columns wide: %q", name, i+1, w, l)
		}
	}
	if strings.Contains(v, "\x1b[") {
		t.Errorf("%s: escape codes with the ASCII profile", name)
	}
	t.Run(name, func(t *testing.T) { golden.RequireEqual(t, v) })
}

func TestGoldenRelease(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	snap(t, h, "01-import")
	h.keys("enter")
	snap(t, h, "02-review")
	h.keys("enter")
	snap(t, h, "03-triage")
	h.keys("enter", "tab", "right")
	snap(t, h, "04-decide")
	h.keys("tab", "tab", "TLS 1.3 disabled", "enter", "down", "enter", "tab", "right", "tab", "tab", "no", "enter")
	snap(t, h, "05-triage-done")
	h.keys("c")
	snap(t, h, "06-plan")
	h.keys("enter") // refused: the later pages have not been shown
	snap(t, h, "06-plan-enter-refused")
	h.keys("pgdown", "pgdown")
	snap(t, h, "06-plan-last-page")
	h.keys("enter")
	snap(t, h, "07-approvals")
	h.keys("enter", "enter", "9", "9", "9")
	snap(t, h, "08-pin-masked")
	h.keys("enter")
	snap(t, h, "09-wrong-pin")
	h.keys("backspace", "1", "2", "3", "4", "enter", "down", "enter", "enter", "1", "2", "3", "4", "enter")
	snap(t, h, "10-quorum")
	h.keys("c")
	snap(t, h, "11-sign-confirm")
	h.keys("y")
	snap(t, h, "12-signed")
	h.keys("enter")
	snap(t, h, "13-verify")
	h.keys("enter")
	snap(t, h, "14-export")
	h.keys("enter", "y")
	snap(t, h, "15-done")
	h.keys("d", "enter")
	snap(t, h, "16-rehearsal")
}

func TestGoldenScreens(t *testing.T) {
	h := newHarness(t, ScreenHome)
	snap(t, h, "home")
	h.keys("enter")
	snap(t, h, "choose")
	h.keys("down", "enter")
	snap(t, h, "keygen-keys")
	h.keys("esc")
	snap(t, h, "leave-prompt")
	h.keys("y", "enter", "down", "down", "enter")
	snap(t, h, "revocation-keys")
	h.keys("down", "down", "enter")
	snap(t, h, "revocation-planned-key")
	h.keys("esc", "y", "a")
	snap(t, h, "audit")

	f := newHarness(t, ScreenRelease)
	f.eng.Fail["ImportRequest"] = hinted{errors.New(`request.json: images[1].sha256 does not match app.bin`), "the media was altered or corrupted; ask the release manager for a fresh copy from CI"}
	f.keys("enter")
	snap(t, f, "import-error")
}

type hinted struct {
	error
	hint string
}

func (h hinted) Hint() string { return h.hint }

// TestGoldenLifecycle: leaving, keeping, resuming and aborting, the help
// overlay, the triage filter, the token's PIN flags.
func TestGoldenLifecycle(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	walkToPlan(t, h)
	h.keys("esc")
	snap(t, h, "leave-plan-review")
	h.keys("n", "readplan", "enter", "enter", "1", "2", "3", "4", "enter", "ctrl+c")
	snap(t, h, "ctrl-c-one-approval")
	h.keys("x")
	snap(t, h, "abort-reason")
	h.keys("esc", "n", "?")
	snap(t, h, "help-approvals")
	h.keys("esc", "esc", "k")
	snap(t, h, "home-unfinished")
	h.eng.Restart()
	h.keys("u")
	snap(t, h, "unfinished")
	h.keys("enter")
	snap(t, h, "resumed-approvals")
	h.keys("enter", "enter", "9", "9", "enter", "9", "9", "enter")
	snap(t, h, "pin-final-try")
	h.keys("1", "2", "3", "4", "enter", "down", "enter", "enter", "1", "2", "3", "4", "enter", "c", "y", "esc")
	snap(t, h, "leave-signed")
	h.keys("k")
	h.eng.Restart()
	h.keys("u", "enter", "enter", "enter", "1", "2", "3", "4", "enter", "down", "enter", "enter", "1", "2", "3", "4", "enter", "c")
	snap(t, h, "unlock-for-export")

	f := newHarness(t, ScreenRelease)
	f.keys("enter", "enter", "/", "mbed", "enter")
	snap(t, f, "triage-filtered")
}

// TestGoldenTooSmall is the guard at 60×18, the smallest the smoke test
// drives.
func TestGoldenTooSmall(t *testing.T) {
	h := newHarness(t, ScreenRelease)
	h.send(tea.WindowSizeMsg{Width: 60, Height: 18})
	v := h.view()
	if n := strings.Count(v, "\n") + 1; n != 18 {
		t.Errorf("guard is %d lines, want 18", n)
	}
	golden.RequireEqual(t, v)
}
