package api

import "context"

// Genesis is the door to `signbox init` for the TUI: the same appliance
// call the headless command makes, with the PINs typed at the terminal.
// Rules as for [Engine]; Run is not cancellable once it has started
// making the appliance (a half-made genesis is refused on the next try
// by name, never resumed), so the TUI does not quit while it runs.
type Genesis interface {
	// Plan is what Run will make, for the founders to read first.
	Plan() GenesisPlan
	// Run makes the appliance. pins holds the operator's audit-token PIN
	// under AuditPINKey and each founder's PIN under their name; Run must
	// not keep the slices (the TUI zeroes them when Run returns). A wrong
	// PIN is found before anything is made and says so.
	Run(ctx context.Context, pins map[string][]byte) (GenesisResult, error)
}

// AuditPINKey is the key of the operator's audit-token PIN in Run's pins.
const AuditPINKey = ""

// GenesisPlan describes the appliance a genesis ceremony will make.
type GenesisPlan struct {
	Workspace      string
	Module         string
	ApplianceLabel string // the module's free slot is initialised with this label
	AuditToken     string // the operator's audit token (URI)
	Date           string
	Policy         string // the genesis policy's name
	Serial         int
	Keys           []GenesisKey
	Founders       []Founder
	Threshold      int // shares needed to open the appliance token
}

// GenesisKey is a key the genesis ceremony makes inside an HSM.
type GenesisKey struct {
	Label, Algorithm string
	Token            string // "appliance" or "audit"
	Backup           bool   // wrappable for a backup
}

// Founder is a founding custodian, the token they present and the keys
// the genesis policy pins for them, as fingerprints and PGP words the
// founder reads aloud from their own enrolment printout.
type Founder struct {
	Name, Token string
	// Enrol: the template has no keys for this founder yet; their token
	// makes them (or already holds them) during the genesis, and the
	// paper log lists their fingerprints.
	Enrol         bool
	ApprovalKey   string   // "sha256:…" fingerprint
	ApprovalWords []string // the same, as PGP words
	ShareKey      string   // "" when the founder holds no share
	ShareWords    []string
}

// GenesisResult is what the genesis ceremony made.
type GenesisResult struct {
	ApplianceID  string
	ApplianceURI string
	PolicyDigest string
	PolicyWords  []string // the policy digest as PGP words, read aloud
	// PaperLog is every line the operators copy into the paper log, in
	// order: policy digest, share split, keys by kind with fingerprints
	// and eFuse digests, the HSM anchor and the first audit checkpoint.
	PaperLog []string
}
