package audit

import "fmt"

// Verdict is the outcome of verifying a log or an export.
type Verdict int

const (
	// OK: every entry is covered by a trusted checkpoint and every check
	// that ran passed. Warnings may still say what is worth a look.
	OK Verdict = iota
	// UnsealedTail: nothing contradicts the evidence, but entries after the
	// last trusted checkpoint (or a torn final record) are not sealed, so
	// their removal could not have been detected. Never reported as OK.
	UnsealedTail
	// Tampered: the log contradicts itself, its MACs, a trusted checkpoint
	// or the auditor's last-seen checkpoint. FirstBad says where.
	Tampered
	// Unpinned: nothing contradicts the evidence, but the checkpoint key
	// came from the export itself, so a log rewritten and re-signed by
	// another key would look the same. Never reported as OK.
	Unpinned
)

func (v Verdict) String() string {
	switch v {
	case OK:
		return "OK"
	case UnsealedTail:
		return "UNSEALED TAIL"
	case Tampered:
		return "TAMPERED"
	case Unpinned:
		return "UNPINNED"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Checks records which checks actually ran, so a report can never pass
// off a skipped check as a passed one.
type Checks struct {
	Chain      bool // records, sequence, origin, chain links, epochs
	Tree       bool // RFC 6962 roots against checkpoints
	Signatures bool // checkpoint notes against the trusted key
	KeyPinned  bool // the trusted key came from the caller, not the export
	Proofs     bool // consistency proofs between consecutive checkpoints
	Inclusion  bool // tlog-proofs of flagged entries (exports only)
	MACs       bool // every HMAC tag (needs the key ring for every epoch)
	LastSeen   bool // consistency with the auditor's last-seen checkpoint
}

// Report is the result of [Verify].
type Report struct {
	Verdict  Verdict
	FirstBad int64  // first entry found bad, -1 if none
	Reason   string // why, for Tampered and UnsealedTail

	Origin      string
	Entries     int64 // complete records
	Sealed      int64 // size of the largest trusted checkpoint
	Checkpoints int   // checkpoints verified
	Proofs      int   // consistency proofs verified
	Inclusions  int   // tlog-proofs of flagged entries verified
	MACsChecked int64
	Checks      Checks
	Problems    []Finding // every contradiction found (capped)
	Warnings    []Finding // Index -1 when not about one entry
}
