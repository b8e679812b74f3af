package main

import (
	"fmt"

	"signbox/audit"
)

// `audit show` and `audit verify-proof` with --format json
// (docs/cli-json.md).

type auditEntryJSON struct {
	Seq     int64      `json:"seq"`
	Time    string     `json:"time"` // RFC 3339, UTC, milliseconds
	Epoch   uint32     `json:"epoch"`
	Type    string     `json:"type"`
	Fields  [][]string `json:"fields"`  // key=value pairs in order, [] when the payload is not fields
	Payload string     `json:"payload"` // as text mode shows it
}

func auditEntryJSONOf(en audit.Entry) auditEntryJSON {
	out := auditEntryJSON{Seq: en.Seq, Time: en.Time.UTC().Format("2006-01-02T15:04:05.000Z"), Epoch: en.Epoch,
		Type: fmt.Sprint(en.Type), Fields: [][]string{}, Payload: showPayload(en.Payload)}
	if fields, err := audit.ParseFields(en.Payload); err == nil {
		for _, f := range fields {
			out.Fields = append(out.Fields, []string{f[0], f[1]})
		}
	}
	return out
}

type auditShowJSON struct {
	Entries  []auditEntryJSON `json:"entries"`
	TornTail string           `json:"torn_tail,omitempty"` // why the last record was not read
}

type auditProofJSON struct {
	Verdict string          `json:"verdict"` // OK or INVALID
	Reason  string          `json:"reason,omitempty"`
	Origin  string          `json:"origin,omitempty"`
	Size    int64           `json:"size"`
	Entry   *auditEntryJSON `json:"entry"`
}

func auditProofInvalid(reason string) any { return auditProofJSON{Verdict: "INVALID", Reason: reason} }
