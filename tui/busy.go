package tui

import (
	"time"

	"signbox/tui/common"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// SpinAfter is how long a call runs before the spinner shows, unless
// Options.SpinAfter says otherwise: a quick read does not flicker, an HSM
// login or a signature does not look hung.
const SpinAfter = 200 * time.Millisecond

// busy is the root's spinner over whatever the page or the root is
// waiting for. gen tells an old delay apart from the current one.
type busy struct {
	after    time.Duration // 0: no spinner (the synchronous test harness)
	armed    bool          // a delay is running for the current call
	spinning bool
	gen      int
	spin     spinner.Model
}

// spinDelayMsg ends the spinAfter delay of call generation gen.
type spinDelayMsg struct{ gen int }

func newBusy(after time.Duration) busy {
	return busy{after: after, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

// waiting reports whether anything is in flight.
func (m model) waiting() bool { return m.recording != "" || common.Busy(m.page) }

// watchBusy arms the delay when a call starts and stops the spinner when
// nothing is in flight any more; it runs after every Update.
func (m model) watchBusy() (model, tea.Cmd) {
	if !m.waiting() {
		m.busy.armed, m.busy.spinning = false, false
		return m, nil
	}
	if m.busy.armed || m.busy.after <= 0 {
		return m, nil
	}
	m.busy.armed = true
	m.busy.gen++
	gen := m.busy.gen
	return m, tea.Tick(m.busy.after, func(time.Time) tea.Msg { return spinDelayMsg{gen: gen} })
}

// spinMsg handles the delay and the spinner's own ticks.
func (m model) spinMsg(msg tea.Msg) (model, tea.Cmd) {
	switch msg := msg.(type) {
	case spinDelayMsg:
		if msg.gen != m.busy.gen || !m.busy.armed || m.busy.spinning {
			return m, nil
		}
		m.busy.spinning = true
		return m, m.busy.spin.Tick
	case spinner.TickMsg:
		if !m.busy.spinning {
			return m, nil
		}
		var cmd tea.Cmd
		m.busy.spin, cmd = m.busy.spin.Update(msg)
		return m, cmd
	}
	return m, nil
}

// spinnerText is the header's busy marker, "" when idle or not yet due.
func (m model) spinnerText() string {
	if !m.busy.spinning {
		return ""
	}
	return m.busy.spin.View() + " working"
}
