package mcuemu

import "fmt"

// fate is what happens to one write.
type fate int

const (
	applyAll  fate = iota // the write completes
	applyNone             // power fails before the write starts
	applyHalf             // power fails halfway: a torn write
)

// Power is the single counter every erase, program and counter update
// passes through. A test arms it with [Power.CutAt] to fail write number n
// (1-based, counted from the call), either cleanly before it starts or torn
// in the middle, in the style of MCUboot's simulator.
type Power struct {
	writes int
	cutAt  int
	tear   bool
	off    bool
}

// Writes is the number of writes attempted since the device was made.
func (p *Power) Writes() int { return p.writes }

// CutAt arms a power cut at write number n counted from now (1 = the next
// write). With tear set, half of that write lands before power fails.
func (p *Power) CutAt(n int, tear bool) { p.cutAt, p.tear = p.writes+n, tear }

// Disarm removes any armed cut.
func (p *Power) Disarm() { p.cutAt, p.tear = 0, false }

// Off reports whether power has failed since the last boot.
func (p *Power) Off() bool { return p.off }

func (p *Power) begin(what string) (fate, error) {
	if p.off {
		return applyNone, fmt.Errorf("%s: %w", what, ErrPowerCut)
	}
	p.writes++
	if p.cutAt == 0 || p.writes != p.cutAt {
		return applyAll, nil
	}
	p.off = true
	if p.tear {
		return applyHalf, fmt.Errorf("%s (torn): %w", what, ErrPowerCut)
	}
	return applyNone, fmt.Errorf("%s: %w", what, ErrPowerCut)
}
