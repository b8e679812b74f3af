package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"signbox/tui/tuitest"

	tea "github.com/charmbracelet/bubbletea"
)

// TestRunbooksQuoteTheScreens keeps docs/runbooks from drifting: every
// screen title quoted in bold (**`…`**) and every key description quoted
// after a key ((`…`)) must be a string the TUI source actually renders,
// and "step N of M" must match a ceremony's step count.
func TestRunbooksQuoteTheScreens(t *testing.T) {
	src := tuiSource(t)
	docs, err := filepath.Glob("../docs/runbooks/*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no runbooks found: %v", err)
	}
	title := regexp.MustCompile("\\*\\*`([^`]+)`\\*\\*")
	desc := regexp.MustCompile("`[^`]+` \\(`([^`]+)`\\)")
	stepRe := regexp.MustCompile(`^step (\d+) of (\d+) · (.*)$`)
	counts := map[string]bool{}
	for _, k := range []Kind{KindRelease, KindKeyGen, KindRevocation, KindPolicyChange} {
		counts[itoa(len(steps(k))-1)] = true
	}
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, m := range title.FindAllStringSubmatch(text, -1) {
			q := m[1]
			if s := stepRe.FindStringSubmatch(q); s != nil {
				if !counts[s[2]] {
					t.Errorf("%s: %q: no ceremony has %s steps", doc, q, s[2])
				}
				q = s[3]
			}
			if !strings.Contains(src, `"`+q+`"`) {
				t.Errorf("%s: screen title %q is not rendered by the TUI", doc, q)
			}
		}
		for _, m := range desc.FindAllStringSubmatch(text, -1) {
			if !strings.Contains(src, `"`+m[1]+`"`) {
				t.Errorf("%s: key description %q is not in the TUI", doc, m[1])
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// tuiSource is every non-test Go file under tui/, concatenated.
func tuiSource(t *testing.T) string {
	var sb strings.Builder
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		sb.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// TestRunbookScreensReachableFromOpen keeps the runbooks honest for a real
// appliance, not only the demo: every screen a runbook quotes must be
// reached from where `signbox` and `signbox open` start (ScreenHome, no
// demo options: no bundle prefilled, media and outbound paths of a plain
// workspace) by keys alone, or from where `signbox init` starts
// (ScreenGenesis). A seeded walk presses the keys the help lines offer,
// typing the fake token's PIN where a PIN is asked, and restarts from the
// status screen now and then, as an operator would.
func TestRunbookScreensReachableFromOpen(t *testing.T) {
	quoted := runbookScreens(t)
	seen := reachedScreens(t)
	for _, q := range quoted {
		if !seen[q] {
			t.Errorf("runbooks quote screen %q, which no key reaches from `signbox open` or `signbox init`", q)
		}
	}
	if len(quoted) < 15 {
		t.Fatalf("only %d screens quoted: the pattern no longer matches the runbooks", len(quoted))
	}
}

func runbookScreens(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("../docs/runbooks/*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no runbooks found: %v", err)
	}
	title := regexp.MustCompile("\\*\\*`(?:step \\d+ of \\d+ · )?([^`]+)`\\*\\*")
	set := map[string]bool{}
	var out []string
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range title.FindAllStringSubmatch(string(b), -1) {
			if !set[m[1]] {
				set[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	return out
}

// reachedScreens walks the TUI from the `signbox open` entry, the way
// the runbooks tell operators to, and from the `signbox init` entry, and
// returns every page title shown on the way.
func reachedScreens(t *testing.T) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	approve := []string{"enter", "enter", tuitest.GoodPIN, "enter", "down", "enter", "enter", tuitest.GoodPIN, "enter"}
	triage := []string{"enter", "tab", "right", "tab", "tab", "x", "enter", "down", "enter", "tab", "right", "tab", "tab", "x", "enter", "c"}
	walks := [][][]string{
		// release, then rehearse the bundle on the device, audit log
		{{"enter", "enter", "enter", "enter"}, triage, {"enter"}, approve, {"c", "y", "enter", "enter", "enter", "y", "d", "enter", "esc", "esc", "a", "esc"}},
		// key generation, key revocation
		{{"enter", "down", "enter", "enter", "enter"}, approve, {"c", "y", "enter", "enter", "enter", "y"}},
		{{"enter", "down", "down", "enter", "down", "enter", "enter"}, approve, {"c", "y", "enter", "enter", "enter", "y"}},
		// policy change
		{{"enter", "down", "down", "down", "enter", "enter", "enter", "enter"}, approve, {"c", "y", "enter", "enter", "enter", "y"}},
		// a release signed, kept, resumed from the unfinished list after a restart, unlocked for export
		{{"enter", "enter", "enter", "enter"}, triage, {"enter"}, approve, {"c", "y", "enter", "esc", "k", "restart", "u", "enter"}, approve, {"c", "y", "enter", "enter", "enter", "y"}},
	}
	for _, walk := range walks {
		opts := Options{Date: "2026-11-21", MediaPath: "/srv/appliance/media/in", ExportPath: "/srv/appliance/media/out", Operator: "operator"}
		eng := tuitest.New()
		eng.PolicyAvailable = true
		h := &harness{t: t, m: New(eng, opts), eng: eng}
		h.run(h.m.Init())
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		seen[h.m.(model).page.Title()] = true
		for _, part := range walk {
			for _, k := range part {
				if k == "restart" {
					eng.Restart()
					continue
				}
				if k == "enter" && h.m.(model).page.Title() == "Plan review" {
					k = "readplan" // every page is read before "digest matches"
				}
				h.keys(k)
				seen[h.m.(model).page.Title()] = true
			}
		}
	}
	h := &harness{t: t, m: New(nil, Options{Start: ScreenGenesis, Genesis: &fakeGenesis{}})}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, k := range []string{"enter", "a", "enter", "b", "enter", "c", "enter", "y"} {
		seen[h.m.(model).page.Title()] = true
		h.keys(k)
	}
	seen[h.m.(model).page.Title()] = true
	return seen
}
