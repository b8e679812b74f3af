package emu

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"signbox/audit"
)

// A device with an [Identity] keeps its own audit log in its state
// directory, beside the flash and eFuse files:
//
//	<state>/secure.json   the identity (secure storage stand-in)
//	<state>/audit/        the log, package audit's layout
//	<state>/audit.floor   the log's monotonic floor (on a chip: a
//	                      monotonic counter outside the log partition)
const (
	auditDirName   = "audit"
	auditFloorName = "audit.floor"
)

// ErrNoAuditLog reports a device provisioned without an audit log (before
// device logs existed, or by a caller that gave no clock).
var ErrNoAuditLog = errors.New("device has no audit log")

// maxPending bounds the events a device holds in RAM between two saves.
const maxPending = 4096

// staleClock marks an event recorded while nobody had told the device the
// time: it is stamped with the newest time already in the log, a lower
// bound, as a device without a battery-backed clock would.
const staleClock = "clock=last-known\n"

type pendingEvent struct {
	typ     audit.Type
	payload []byte
	t       time.Time // zero: stamp with the last known time at flush
}

// auditSink is the device's own [EventSink]. Events wait in RAM and reach
// the log only in [Device.Save], after flash, eFuses and runtime state are
// written: the log may then lack the last events (the emulator died
// between the two), but it never claims one whose effects were not kept.
// An event whose operation lost power is not recorded at all (see
// Device.record): on a chip the RAM holding it is gone.
type auditSink struct {
	id      Identity
	now     func() time.Time // nil until a caller sets a clock
	pending []pendingEvent
	create  bool // the log is still to be created (provisioning)
}

var _ EventSink = (*auditSink)(nil)

// Record maps the event to an audit entry and queues it.
func (s *auditSink) Record(typ string, payload []byte) error {
	if len(s.pending) >= maxPending {
		return fmt.Errorf("device audit log: %d events unsaved; save the device", len(s.pending))
	}
	at, p, err := AuditEntry(typ, payload)
	if err != nil {
		return err
	}
	ev := pendingEvent{typ: at, payload: p}
	if s.now != nil {
		ev.t = s.now()
	} else {
		ev.payload = append(ev.payload, staleClock...)
	}
	s.pending = append(s.pending, ev)
	return nil
}

func (s *auditSink) config(state string) (audit.Config, error) {
	keys, err := audit.NewDerivedKeys(s.id.MACSeed)
	if err != nil {
		return audit.Config{}, err
	}
	return audit.Config{
		Origin: s.id.AuditOrigin(),
		Keys:   keys,
		Signer: s.id.CheckpointKey,
		Floor:  audit.FileFloor(filepath.Join(state, auditFloorName)),
	}, nil
}

// open opens the log, or creates it the first time after provisioning.
// A missing log on a provisioned device is not re-created: Open reports
// it (and the floor refuses a fresh one after a removal).
func (s *auditSink) open(state string, t time.Time) (*audit.Log, error) {
	cfg, err := s.config(state)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(state, auditDirName)
	if s.create {
		l, err := audit.Create(dir, cfg, t)
		if err == nil {
			s.create = false
		}
		return l, err
	}
	return audit.Open(dir, cfg, t)
}

// flush appends the queued events in order and closes the log, which
// seals it with a shutdown checkpoint, so every saved state has a log
// whose export verifies OK. Events appended stay out of the queue even if
// a later one fails; the rest are kept for the next save.
func (s *auditSink) flush(state string) error {
	if len(s.pending) == 0 {
		return nil
	}
	if err := s.stampStale(state); err != nil {
		return err
	}
	l, err := s.open(state, s.pending[0].t)
	if err != nil {
		return err
	}
	last := s.pending[0].t
	for len(s.pending) > 0 {
		ev := s.pending[0]
		if _, err := l.Append(ev.typ, ev.payload, ev.t); err != nil {
			return errors.Join(err, l.Close(ev.t))
		}
		s.pending, last = s.pending[1:], ev.t
	}
	if s.now != nil {
		last = s.now()
	}
	return l.Close(last)
}

// stampStale gives events recorded without a clock the newest time in
// the log.
func (s *auditSink) stampStale(state string) error {
	var last time.Time
	for i := range s.pending {
		if !s.pending[i].t.IsZero() {
			last = s.pending[i].t
			continue
		}
		if last.IsZero() {
			var err error
			if last, err = s.lastTime(state); err != nil {
				return err
			}
		}
		s.pending[i].t = last
	}
	return nil
}

func (s *auditSink) lastTime(state string) (time.Time, error) {
	if s.create {
		return time.Time{}, errors.New("device audit log: no clock to start the log with")
	}
	var last time.Time
	err := audit.Walk(filepath.Join(state, auditDirName), func(e audit.Entry) error {
		last = e.Time
		return nil
	})
	if err != nil && !errors.Is(err, audit.ErrTornTail) {
		return last, fmt.Errorf("device audit log: %w", err)
	}
	if last.IsZero() {
		return last, fmt.Errorf("device audit log: %w: no entries", audit.ErrNoLog)
	}
	return last, nil
}

// verifierKey is the checkpoint verifier key an auditor pins for this
// device.
func (s *auditSink) verifierKey() string {
	ns, err := audit.NewNoteSigner(s.id.AuditOrigin(), s.id.CheckpointKey)
	if err != nil {
		return "" // an Ed25519 key always wraps; see NewNoteSigner
	}
	return ns.VerifierKey()
}
