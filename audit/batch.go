package audit

import (
	"fmt"
	"time"
)

// Event is one entry for [Log.AppendBatch].
type Event struct {
	Type    Type
	Payload []byte
}

// AppendBatch writes several events with one write and one fsync, for
// bursts where an fsync per entry is too slow (a device flushing its
// buffered boot events). It returns only after all are durable. After a
// crash any prefix of the batch may survive, never a gap; a torn last
// record is recovered like any other. Automatic epochs and checkpoints
// fall due after the batch, not inside it.
func (l *Log) AppendBatch(events []Event, t time.Time) ([]Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, ev := range events {
		if ev.Type.internal() || !ev.Type.Known() {
			return nil, fmt.Errorf("append batch: event %d: type %v cannot be appended by callers", i, ev.Type)
		}
		if ev.Type.needsReason() && reasonOf(ev.Payload) == "" {
			return nil, fmt.Errorf("append batch: event %d: %v needs a non-empty reason", i, ev.Type)
		}
		if len(ev.Payload) > MaxPayload {
			return nil, fmt.Errorf("append batch: event %d: payload over %d bytes", i, MaxPayload)
		}
	}
	if l.cfg.EpochEvery > 0 && l.inEpoch >= l.cfg.EpochEvery {
		if err := l.newEpoch("interval", t); err != nil {
			return nil, err
		}
	}
	out := make([]Entry, 0, len(events))
	for _, ev := range events {
		e, err := l.stage(ev.Type, ev.Payload, t)
		if err != nil {
			return nil, l.fail(err)
		}
		out = append(out, e)
	}
	if err := l.flush(); err != nil {
		return nil, err
	}
	if l.tree.n-l.lastSealed >= l.cfg.CheckpointEvery {
		if _, err := l.checkpoint("interval", t); err != nil {
			return out, err
		}
	}
	return out, nil
}
