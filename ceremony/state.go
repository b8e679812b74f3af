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
