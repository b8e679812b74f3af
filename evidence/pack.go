package evidence

import (
	"encoding/json"
	"fmt"

	"signbox/airgap/strictjson"
)

// Pack is evidence.json: the traceability table as data.
type Pack struct {
	Kind            string   `json:"kind"`
	Product         string   `json:"product"`
	Version         string   `json:"version"`
	UDIDI           string   `json:"udi_di"`
	MDS2            string   `json:"mds2_ref"`
	SecurityVersion Versions `json:"security_version"`
	CeremonyDate    string   `json:"ceremony_date"`
	PlanDigest      string   `json:"plan_digest"`
	Rows            []Row    `json:"rows"`
}

// Row maps one regulatory item to the bundle files that evidence it and
// the commands that check it.
type Row struct {
	ID          string   `json:"id"`
	Source      string   `json:"source"`
	Requirement string   `json:"requirement"`
	Files       []string `json:"files"`
	Check       string   `json:"check"`   // what `signbox evidence check` verifies
	Command     string   `json:"command"` // the standalone command for the same evidence
}

func buildPack(in *Inputs, rows []Row) ([]byte, error) {
	p := Pack{Kind: PackKind, Product: in.Product, Version: in.Version, UDIDI: in.Clinical.UDIDI, MDS2: in.Clinical.MDS2,
		SecurityVersion: in.SecurityVersion, CeremonyDate: in.date(), PlanDigest: in.PlanDigest, Rows: rows}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", PackName, err)
	}
	return append(b, '\n'), nil
}

// maxRows bounds evidence.json; signbox writes eight rows.
const maxRows = 64

// ParsePack decodes evidence.json strictly.
func ParsePack(data []byte) (*Pack, error) {
	var p Pack
	if err := strictjson.Decode(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", PackName, err)
	}
	if p.Kind != PackKind {
		return nil, fmt.Errorf("%s: kind is %q, want %q", PackName, p.Kind, PackKind)
	}
	if len(p.Rows) == 0 || len(p.Rows) > maxRows {
		return nil, fmt.Errorf("%s: %d rows, want 1..%d", PackName, len(p.Rows), maxRows)
	}
	seen := map[string]bool{}
	for i, r := range p.Rows {
		if r.ID == "" || seen[r.ID] {
			return nil, fmt.Errorf("%s: rows[%d].id %q empty or repeated", PackName, i, r.ID)
		}
		seen[r.ID] = true
	}
	return &p, nil
}
