package triage

import (
	"errors"
	"strings"

	"signbox/tui/api"
	"signbox/tui/common"
	"signbox/tui/components/field"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// The form's fields, in tab order.
const (
	fState = iota
	fJustification
	fResponse
	fDetail
	fieldCount
)

// none is the empty choice for justification and response.
const none = "(none)"

// form edits one decision. Choices cycle with ←/→; text fields take typing.
type form struct {
	c       common.Common
	finding api.Finding
	focus   int
	state   int
	just    int
	resp    int
	detail  textinput.Model
}

func newForm(c common.Common, f api.Finding) form {
	fm := form{c: c, finding: f}
	fm.detail = field.New(c, "", "", c.Size.Width-18)
	if d := f.Decision; d != nil {
		fm.state = index(api.States(), d.State, 0)
		fm.just = index(justs(), d.Justification, 0)
		if len(d.Response) > 0 {
			fm.resp = index(resps(), d.Response[0], 0)
		}
		fm.detail.SetValue(d.Detail)
	}
	return fm.refocus()
}

func justs() []string { return append([]string{none}, api.Justifications()...) }
func resps() []string { return append([]string{none}, api.Responses()...) }

func index(list []string, v string, def int) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return def
}

func (f form) refocus() form {
	f.detail.Blur()
	if f.focus == fDetail {
		f.detail.Focus()
	}
	return f
}

func (f form) update(k tea.KeyMsg) form {
	keys := f.c.Keys
	switch {
	case key.Matches(k, keys.Tab):
		step := 1
		if k.String() == "shift+tab" {
			step = fieldCount - 1
		}
		f.focus = (f.focus + step) % fieldCount
		return f.refocus()
	case k.Type == tea.KeyUp:
		f.focus = (f.focus + fieldCount - 1) % fieldCount
		return f.refocus()
	case k.Type == tea.KeyDown:
		f.focus = (f.focus + 1) % fieldCount
		return f.refocus()
	}
	return f.edit(k)
}

func (f form) edit(k tea.KeyMsg) form {
	delta := 0
	switch k.Type {
	case tea.KeyLeft:
		delta = -1
	case tea.KeyRight:
		delta = 1
	}
	switch f.focus {
	case fState:
		f.state = cycle(f.state, delta, len(api.States()))
	case fJustification:
		f.just = cycle(f.just, delta, len(justs()))
	case fResponse:
		f.resp = cycle(f.resp, delta, len(resps()))
	case fDetail:
		f.detail, _ = f.detail.Update(k)
	}
	return f
}

func cycle(i, d, n int) int { return (i + d + n) % n }

// decision checks only that the required boxes are filled; whether the
// decision is allowed is the engine's call.
func (f form) decision() (api.Decision, error) {
	d := api.Decision{
		State:  api.States()[f.state],
		Detail: strings.TrimSpace(f.detail.Value()),
	}
	if j := justs()[f.just]; j != none {
		d.Justification = j
	}
	if r := resps()[f.resp]; r != none {
		d.Response = []string{r}
	}
	switch {
	case d.State == "not_affected" && d.Justification == "":
		return d, errors.New("not_affected needs a justification")
	case d.Detail == "":
		return d, errors.New("the detail is empty: say why, in words an auditor will understand")
	}
	return d, nil
}

func (f form) lines() []string {
	c := f.c
	choice := func(i int, list []string) string { return "< " + list[i] + " >" }
	rows := []struct {
		label string
		value string
	}{
		{"State", choice(f.state, api.States())},
		{"Justification", choice(f.just, justs())},
		{"Response", choice(f.resp, resps())},
		{"Detail", f.detail.View()},
	}
	lines := []string{c.Section("Decide " + f.finding.ID + " in " + f.finding.Component + " " + f.finding.Version)}
	lines = append(lines, common.Wrap(f.finding.Summary, c.Size.Width)...)
	lines = append(lines, "")
	for i, r := range rows {
		label := "  " + common.Pad(r.label, 15)
		if i == f.focus {
			label = c.Styles.Selected.Render("> " + common.Pad(r.label, 15))
		}
		lines = append(lines, label+" "+r.value)
	}
	lines = append(lines, "  "+common.Pad("Entered by", 15)+" "+c.Who)
	lines = append(lines, common.Wrap("The custodians decide: the release plan shows this decision and they approve it with their own tokens.", c.Size.Width)...)
	return append(lines, "", c.Styles.Subtle.Render("not_affected needs a justification; exploitable needs a response."))
}
