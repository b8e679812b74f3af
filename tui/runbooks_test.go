package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
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
