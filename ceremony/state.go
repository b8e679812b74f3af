package ceremony

import (
	"fmt"
	"path/filepath"
)

const stateFormat = "signbox-ceremony-state/v1"

// stateFile is <ceremony>/state.json. Only the durable steps are written:
// planned, signing, signed, verified, exported.
type stateFile struct {
	Format     string     `json:"format"`
	ID         string     `json:"id"`
	PlanDigest string     `json:"plan_digest"`
	Step       string     `json:"step"`
	Approvals  []Approval `json:"approvals,omitempty"` // counted at signing
	Outputs    []Input    `json:"outputs,omitempty"`   // written at signing
	Aborted    string     `json:"aborted,omitempty"`   // the operators' reason
}

func parseStep(s string) (Step, error) {
	for st, n := range stepNames {
		if n == s && st.persisted() {
			return st, nil
		}
	}
	return 0, fmt.Errorf("state.json: unknown step %q", s)
}

func (s *Session) statePath() string { return filepath.Join(s.dir, "state.json") }

func (s *Session) saveState(step Step) error {
	s.state.Step = step.String()
	if err := writeJSON(s.statePath(), s.state); err != nil {
		return fmt.Errorf("save ceremony state: %w", err)
	}
	s.step = step
	return nil
}

// StepOf reads the step ceremony id last recorded in its state.json,
// without loading the plan: the appliance compares these with the state
// pinned in its HSM.
func (w *Workspace) StepOf(id string) (Step, error) {
	if !idPattern.MatchString(id) {
		return 0, fmt.Errorf("%q is not a ceremony id", id)
	}
	var st stateFile
	found, err := readJSON(filepath.Join(w.ceremonyDir(id), "state.json"), &st)
	switch {
	case err != nil:
		return 0, fmt.Errorf("ceremony %s: %w", id, err)
	case !found:
		return 0, fmt.Errorf("ceremony %s: no state.json", id)
	case st.ID != id:
		return 0, fmt.Errorf("ceremony %s: state.json belongs to %q", id, st.ID)
	}
	return parseStep(st.Step)
}

// Closed reports whether nothing may ever be signed in a ceremony at this
// step: signing started, finished, or the ceremony was aborted.
func (s Step) Closed() bool { return s >= StepSigning }
