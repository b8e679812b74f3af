package common

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// HexGroups splits a hex digest into groups of four, perRow groups per
// line, so two people can compare it aloud group by group.
func HexGroups(hex string, perRow int) []string {
	var groups []string
	for i := 0; i < len(hex); i += 4 {
		groups = append(groups, hex[i:min(i+4, len(hex))])
	}
	var rows []string
	for i := 0; i < len(groups); i += perRow {
		rows = append(rows, strings.Join(groups[i:min(i+perRow, len(groups))], " "))
	}
	return rows
}

// Short abbreviates a digest for tables: first 12 hex digits.
func Short(hex string) string {
	h := strings.TrimPrefix(hex, "sha256:")
	if len(h) <= 12 {
		return h
	}
	return h[:12] + "…"
}

// Bytes renders a size for people.
func Bytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Truncate cuts s (which may hold styling) to width cells.
func Truncate(s string, width int) string {
	return ansi.Truncate(s, width, "…")
}

// Bar is an ASCII progress bar: "[#####-----] 5/10".
func Bar(done, total, width int) string {
	if total <= 0 {
		total = 1
	}
	done = min(max(done, 0), total)
	fill := done * width / total
	return "[" + strings.Repeat("#", fill) + strings.Repeat("-", width-fill) + "]" +
		fmt.Sprintf(" %d/%d", done, total)
}

// Mark is the text marker that carries a state without colour.
func (s Styles) Mark(ok bool) string {
	if ok {
		return s.OK.Render("[ OK ]")
	}
	return s.Error.Render("[FAIL]")
}
