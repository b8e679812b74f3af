package ceremony

import "fmt"

// Recorder receives one Event per ceremony step that happened. cmd glue
// appends them to the appliance audit log; ceremony does not import audit.
// A Recorder error fails the step that reported it, so a ceremony never
// moves on with a gap in its record.
type Recorder interface {
	Record(Event) error
}

// Event is one step of one ceremony, as plain text fields.
type Event struct {
	Ceremony   string
	Kind       Kind
	Step       string // "planned", "approved", "inputs verified", ..., "exported", "aborted"
	PlanDigest string
	Fields     [][2]string // ordered key/value pairs, e.g. {"custodian", "alice"}
}

// SetRecorder makes every session opened from w report its steps to r.
func (w *Workspace) SetRecorder(r Recorder) { w.rec = r }

func (s *Session) record(step string, fields ...[2]string) error {
	if s.ws.rec == nil {
		return nil
	}
	ev := Event{Ceremony: s.plan.ID, Kind: s.plan.Kind, Step: step, PlanDigest: s.digest.String(), Fields: fields}
	if err := s.ws.rec.Record(ev); err != nil {
		return fmt.Errorf("record %q in the audit log: %w", step, err)
	}
	return nil
}
