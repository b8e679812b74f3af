package api

// Kind names a ceremony kind.
type Kind string

// The ceremony kinds the TUI has screens for.
const (
	KindRelease      Kind = "release"
	KindKeyGen       Kind = "keygen"
	KindRevocation   Kind = "revocation"
	KindPolicyChange Kind = "policy-change"
)

// Status is the home screen: where we are and whether we can start.
type Status struct {
	Workspace    string
	PolicyDigest string // "sha256:<hex>"
	PolicyNote   string // one line, e.g. "release quorum 2 of 3"
	Tokens       []TokenStatus
	Products     []ProductVersion
	AuditEntries int
	AuditVerdict string   // e.g. "ok", "unsealed tail", "tampered at 17"
	Problems     []string // anything that blocks a ceremony, with what to do
}

// TokenStatus is one HSM token the policy expects.
type TokenStatus struct {
	Label   string
	Role    string // "appliance" or the custodian's name
	Present bool
	Detail  string // e.g. "serial 1a2b, 4 keys"
}

// ProductVersion is the last released anti-rollback version of a product.
type ProductVersion struct {
	Product         string
	SecurityVersion int
}

// CeremonyKind is one entry on the "choose a ceremony" screen.
type CeremonyKind struct {
	Kind      Kind
	Title     string
	Summary   string
	Quorum    string // e.g. "2 of 3 custodians"
	Available bool
	Reason    string // why not available
}

// Request summarises an imported, verified release request.
type Request struct {
	ID                 string
	Product            string
	Version            string
	Chip               string
	SecurityVersionOld int
	SecurityVersionNew int
	Images             []Image
	SBOM               SBOMSummary
	SignedBy           string // build key that signed the request, "" if unsigned
	Warnings           []string
}

// Image is one unsigned image in a request.
type Image struct {
	Role   string // "bootloader" or "app"
	Name   string
	Size   int64
	SHA256 string // lowercase hex
}

// SBOMSummary is what the custodians need to know about the SBOM.
type SBOMSummary struct {
	Format     string // e.g. "CycloneDX 1.6"
	Components int
	WithPURL   int
	SHA256     string
}

// PolicyChange is an imported policy proposal.
type PolicyChange struct {
	ID    string
	Lines []string // human-readable diff against the current policy
}

// Finding is one vulnerability matched against an SBOM component.
type Finding struct {
	ID        string // OSV id
	Aliases   []string
	Component string
	Version   string
	Severity  string
	Summary   string
	FixedIn   string
	Decision  *Decision // nil until triaged
}

// Decision is a CycloneDX VEX analysis for one finding.
type Decision struct {
	State         string // see States
	Justification string // see Justifications; required for not_affected
	Response      []string
	Detail        string
	// By and At are filled by the engine and ignored in Decide: who typed
	// the decision in (the operator) and when. The decision's authority is
	// the quorum that approves the plan binding it; the plan and the VEX
	// name those custodians with their key fingerprints.
	By string
	At string
}

// Triage is the findings and the release gate.
type Triage struct {
	Findings   []Finding
	FeedDate   string
	GateOpen   bool
	GateReason string // why the gate is closed, or a note when open
}

// Key is one key in the policy's inventory.
type Key struct {
	Label       string
	Purpose     string // e.g. "secure boot slot 0", "release bundle", "audit checkpoint"
	Algorithm   string
	Fingerprint string // "sha256:<hex>", empty if not generated
	State       string // "active", "planned" (in policy, not generated yet) or "revoked"
}

// PlanRequest asks for a ceremony plan.
type PlanRequest struct {
	Kind      Kind
	RequestID string // release: Request.ID; policy change: PolicyChange.ID
	KeyLabel  string // revocation: the key to retire
	Date      string // ceremony date confirmed by the operators, YYYY-MM-DD
}

// Plan is the canonical plan the custodians approve.
type Plan struct {
	ID     string
	Kind   Kind
	Digest string   // lowercase hex SHA-256 of the canonical plan
	Words  []string // the digest as words to read aloud
	Lines  []string // a narrative of the plan (the CLI's `ceremony show`)
	// Sections is every field of the canonical plan, the bytes whose
	// digest the custodians approve, grouped for reading. The plan pages
	// show all of them; the TUI only cuts them to the terminal's height.
	Sections     []PlanSection
	Irreversible []string // what Execute cannot undo, shown before confirming
	Quorum       Quorum
}

// PlanSection is one titled group of plan fields.
type PlanSection struct {
	Title string
	Rows  []PlanRow
}

// PlanRow is one field the plan digest binds.
type PlanRow struct {
	Path  string // JSON path in the canonical plan, e.g. "release.images[1].sha256"
	Item  string // heading of the list entry the row belongs to, "" for none
	Label string
	Value string // the bound value, whole
	Warn  bool   // the row marks a relaxation or an open finding
}

// Custodian is one person who may approve.
type Custodian struct {
	Name     string
	Role     string
	Tokens   []Token
	Approved bool
	// ShareNeeded: Approved in an earlier session (before a restart), and
	// the share of the appliance token's PIN this custodian holds has not
	// been presented in this one. They approve again, with their own token
	// and PIN, and the engine presents the share instead of a second
	// approval.
	ShareNeeded bool
}

// Token is one personal approval token a custodian may use.
type Token struct {
	ID     string // opaque to the TUI, handed back to Approve
	Label  string
	Serial string
}

// Quorum is approvals so far.
type Quorum struct {
	Have      int
	Need      int
	Approvers []string
	// Shares is how many custodians' shares of the appliance token's PIN
	// were presented in this session, and SharesNeed how many open the
	// token. Shares live in RAM only: after a restart the approvals stay
	// on disk but Shares is 0. SharesNeed 0: the engine needs no shares.
	Shares     int
	SharesNeed int
}

// Reached reports whether the approval threshold is met.
func (q Quorum) Reached() bool { return q.Need > 0 && q.Have >= q.Need }

// Ready reports whether the irreversible step can run now: the approvals
// are in, and so are the shares that open the appliance token.
func (q Quorum) Ready() bool { return q.Reached() && q.Shares >= q.SharesNeed }

// Progress is one event from Execute.
type Progress struct {
	Step  string
	Done  int
	Total int
}

// Outcome is what Execute did.
type Outcome struct {
	Lines []string
}

// Check is one verification result.
type Check struct {
	Name   string
	OK     bool
	Detail string
}

// Export is the result of writing the outputs to media.
type Export struct {
	BundlePath   string
	BundleDigest string   // lowercase hex
	Words        []string // the bundle digest as words, if available
	Files        int
	Checkpoint   string // the signed audit checkpoint (C2SP signed note)
}

// AuditLog is the appliance log for the viewer.
type AuditLog struct {
	Entries []AuditEntry
	Verdict string // "ok", "unsealed tail", "tampered at N", ...
}

// AuditEntry is one log entry.
type AuditEntry struct {
	Seq     uint64
	Time    string
	Type    string
	Summary string
}

// Rehearsal is the emulated device after an install or boot.
type Rehearsal struct {
	Device          string
	Trace           []string
	Running         string // e.g. "ota_1 (1.4.0, secure_version 3)"
	State           string // e.g. "PENDING_VERIFY", "VALID", "ABORTED"
	SecureVersion   int    // eFuse secure version
	AwaitingConfirm bool
}
