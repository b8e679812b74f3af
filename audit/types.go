package audit

import "fmt"

// Type says what an entry records. Values are part of the on-disk format:
// never renumber one, only add.
type Type uint16

// Log housekeeping, written by the log itself; Append refuses them.
const (
	LogStart    Type = 1 // first entry: origin, checkpoint key, creator
	EpochStart  Type = 2 // first entry MACed under a new epoch key
	Checkpoint  Type = 3 // last entry covered by a signed checkpoint
	LogRecovery Type = 4 // a torn final record was dropped on open
	Export      Type = 5 // an export was written
)

// Appliance events.
const (
	CeremonyStarted  Type = 16
	CeremonyApproved Type = 17
	CeremonySigned   Type = 18
	CeremonyExported Type = 19
	CeremonyAborted  Type = 20 // payload needs reason=
	KeyEvent         Type = 21 // generated, imported, retired, revoked
	PolicyChange     Type = 22 // old and new policy digests
	ImportAccepted   Type = 23
	ImportRejected   Type = 24 // payload needs reason=
	AuthFailure      Type = 25 // wrong PIN, unknown custodian key
	CeremonyStep     Type = 26 // any other ceremony step (inputs verified, quorum reached, ...)
	CeremonyRefused  Type = 27 // a step refused (run below quorum, bad share, ...); payload needs reason=
	StateRefused     Type = 28 // the workspace differs from the HSM-pinned state; payload needs reason=
	CustodyEvent     Type = 29 // a share released, the appliance token unlocked or locked, shares rotated
	TriageDecision   Type = 30 // a VEX decision recorded for a finding
)

// Device events (the emulator and, later, fielded devices).
const (
	BootResult      Type = 48
	UpdateAccepted  Type = 49
	UpdateRejected  Type = 50 // payload needs reason=
	ConfigChange    Type = 51 // old and new config digests
	Provisioned     Type = 52 // device keys and eFuses set up
	UpdateConfirmed Type = 53 // the new image passed its health check
)

var typeNames = map[Type]string{
	LogStart:         "LOG_START",
	EpochStart:       "EPOCH_START",
	Checkpoint:       "CHECKPOINT",
	LogRecovery:      "LOG_RECOVERY",
	Export:           "EXPORT",
	CeremonyStarted:  "CEREMONY_STARTED",
	CeremonyApproved: "CEREMONY_APPROVED",
	CeremonySigned:   "CEREMONY_SIGNED",
	CeremonyExported: "CEREMONY_EXPORTED",
	CeremonyAborted:  "CEREMONY_ABORTED",
	KeyEvent:         "KEY_EVENT",
	PolicyChange:     "POLICY_CHANGE",
	ImportAccepted:   "IMPORT_ACCEPTED",
	ImportRejected:   "IMPORT_REJECTED",
	AuthFailure:      "AUTH_FAILURE",
	CeremonyStep:     "CEREMONY_STEP",
	CeremonyRefused:  "CEREMONY_REFUSED",
	StateRefused:     "STATE_REFUSED",
	CustodyEvent:     "CUSTODY",
	TriageDecision:   "TRIAGE_DECISION",
	BootResult:       "BOOT_RESULT",
	UpdateAccepted:   "UPDATE_ACCEPTED",
	UpdateRejected:   "UPDATE_REJECTED",
	ConfigChange:     "CONFIG_CHANGE",
	Provisioned:      "PROVISIONED",
	UpdateConfirmed:  "UPDATE_CONFIRMED",
}

func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE_%d", uint16(t))
}

// Known reports whether t is a type this version of signbox defines.
// Parsers reject unknown types: an entry nobody can interpret is not
// evidence.
func (t Type) Known() bool {
	_, ok := typeNames[t]
	return ok
}

// internal reports whether only the log itself may write t.
func (t Type) internal() bool { return t >= LogStart && t <= Export }

// needsReason lists the types whose payload must carry a reason= field,
// because a refusal without a reason is not a defensible record.
func (t Type) needsReason() bool {
	switch t {
	case CeremonyAborted, ImportRejected, UpdateRejected, CeremonyRefused, StateRefused:
		return true
	}
	return false
}
