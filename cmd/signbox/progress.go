package main

import (
	"fmt"
	"time"
)

// progress prints "verb: done/total" to stderr at most every 200 ms, and
// a last line when done.
type progress struct {
	e        *env
	verb     string
	last     time.Time
	n, total int64
}

func newProgress(e *env, verb string) *progress { return &progress{e: e, verb: verb} }

func (p *progress) update(done, total int64) {
	p.n, p.total = done, total
	if t := p.e.now(); t.Sub(p.last) >= 200*time.Millisecond {
		p.last = t
		fmt.Fprintf(p.e.stderr, "%s: %d/%d bytes\n", p.verb, done, total)
	}
}

func (p *progress) done() {
	if p.total > 0 && p.n == p.total {
		fmt.Fprintf(p.e.stderr, "%s: %d/%d bytes, done\n", p.verb, p.n, p.total)
	}
}
