package ceremony

import (
	"encoding/json"
	"fmt"
	"strings"
)

const transcriptFormat = "signbox-ceremony-transcript/v1"

// Transcript is the ceremony record that goes into the release bundle:
// the plan, who approved it, and every output by digest. The DSSE
// envelope with the approvals themselves sits beside it.
type Transcript struct {
	Format     string          `json:"format"`
	ID         string          `json:"id"`
	Kind       Kind            `json:"kind"`
	Date       string          `json:"date"`
	PlanDigest string          `json:"plan_digest"`
	PlanWords  string          `json:"plan_words"`
	Plan       json.RawMessage `json:"plan"`
	Approvals  []Approval      `json:"approvals"`
	Envelope   string          `json:"approvals_envelope"`
	Outputs    []Input         `json:"outputs"`
}

func (s *Session) transcript() ([]byte, error) {
	t := Transcript{
		Format: transcriptFormat, ID: s.plan.ID, Kind: s.plan.Kind, Date: s.plan.Date,
		PlanDigest: s.digest.String(), PlanWords: strings.Join(s.digest.Words(), " "),
		Plan: s.plan.Canonical(), Approvals: s.state.Approvals, Envelope: "../approvals.dsse.json",
		Outputs: s.state.Outputs,
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode transcript: %w", err)
	}
	return append(b, '\n'), nil
}

