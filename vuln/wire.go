package vuln

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The index stores records in a small binary form rather than JSON: a scan
// of 2,000 components decodes most of a feed, and reflection-driven JSON
// decoding was four fifths of the scan time. Layout: strings and list
// lengths are uvarint-prefixed; events are a kind byte and a version.
// The bytes are written by Import and hash-checked by OpenFeed; the
// decoder still bounds-checks everything.

type encoder struct{ b []byte }

func (e *encoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) n(n int) { e.b = binary.AppendUvarint(e.b, uint64(n)) }

func (e *encoder) strs(ss []string) {
	e.n(len(ss))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) scores(ss []Score) {
	e.n(len(ss))
	for _, s := range ss {
		e.str(s.Type)
		e.str(s.Score)
	}
}

func encodeRecord(r *Record) []byte {
	e := &encoder{}
	e.str(r.ID)
	e.str(r.Modified)
	e.strs(r.Aliases)
	e.str(r.Summary)
	e.scores(r.Severity)
	db := ""
	if r.DatabaseSpecific != nil {
		db = r.DatabaseSpecific.Severity
	}
	e.str(db)
	e.n(len(r.References))
	for _, ref := range r.References {
		e.str(ref.Type)
		e.str(ref.URL)
	}
	e.n(len(r.Affected))
	for i := range r.Affected {
		e.affected(&r.Affected[i])
	}
	return e.b
}

func (e *encoder) affected(a *Affected) {
	e.str(a.Package.Ecosystem)
	e.str(a.Package.Name)
	e.str(a.Package.PURL)
	e.strs(a.Versions)
	e.scores(a.Severity)
	e.n(len(a.Ranges))
	for _, rg := range a.Ranges {
		e.str(rg.Type)
		e.str(rg.Repo)
		e.n(len(rg.Events))
		for _, ev := range rg.Events {
			kind, v := eventKind(ev)
			e.b = append(e.b, byte(kind))
			e.str(v)
		}
	}
}

func eventKind(ev Event) (int, string) {
	switch {
	case ev.Fixed != "":
		return evFixed, ev.Fixed
	case ev.LastAffected != "":
		return evLastAffected, ev.LastAffected
	case ev.Limit != "":
		return evLimit, ev.Limit
	}
	return evIntroduced, ev.Introduced
}

var errShort = errors.New("truncated record")

// decoder reads from the feed's records as one string, so every decoded
// string is a slice of it: no allocation per field.
type decoder struct {
	b   string
	err error
}

func (d *decoder) n() int {
	if d.err != nil {
		return 0
	}
	var v uint64
	var shift uint
	for i := 0; i < len(d.b) && i < binary.MaxVarintLen64; i++ {
		c := d.b[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // overflows 64 bits
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if v > uint64(len(d.b)) {
				// Every counted item takes at least one byte, so a count
				// larger than what is left is corrupt; this also bounds
				// allocations.
				break
			}
			d.b = d.b[i+1:]
			return int(v)
		}
		shift += 7
	}
	d.err = errShort
	return 0
}

func (d *decoder) str() string {
	n := d.n()
	if d.err != nil {
		return ""
	}
	if n > len(d.b) {
		d.err = errShort
		return ""
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) strs() []string {
	n := d.n()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) scores() []Score {
	n := d.n()
	if n == 0 {
		return nil
	}
	out := make([]Score, n)
	for i := range out {
		out[i] = Score{Type: d.str(), Score: d.str()}
	}
	return out
}

func (d *decoder) byte1() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errShort
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func decodeRecord(b string) (*Record, error) {
	d := &decoder{b: b}
	r := &Record{ID: d.str(), Modified: d.str(), Aliases: d.strs(), Summary: d.str(), Severity: d.scores()}
	if db := d.str(); db != "" {
		r.DatabaseSpecific = &dbSpecific{Severity: db}
	}
	if n := d.n(); n > 0 {
		r.References = make([]Reference, n)
		for i := range r.References {
			r.References[i] = Reference{Type: d.str(), URL: d.str()}
		}
	}
	if n := d.n(); n > 0 {
		r.Affected = make([]Affected, n)
		for i := range r.Affected {
			d.affected(&r.Affected[i])
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	return r, d.err
}

func (d *decoder) affected(a *Affected) {
	a.Package = Package{Ecosystem: d.str(), Name: d.str(), PURL: d.str()}
	a.Versions = d.strs()
	a.Severity = d.scores()
	n := d.n()
	if n == 0 {
		return
	}
	a.Ranges = make([]Range, n)
	for i := range a.Ranges {
		rg := &a.Ranges[i]
		rg.Type, rg.Repo = d.str(), d.str()
		rg.Events = make([]Event, d.n())
		for j := range rg.Events {
			kind, v := d.byte1(), d.str()
			switch kind {
			case evIntroduced:
				rg.Events[j].Introduced = v
			case evFixed:
				rg.Events[j].Fixed = v
			case evLastAffected:
				rg.Events[j].LastAffected = v
			case evLimit:
				rg.Events[j].Limit = v
			default:
				d.err = fmt.Errorf("event kind %d", kind)
			}
		}
	}
}
