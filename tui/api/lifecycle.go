package api

// Unfinished is a ceremony that was planned but neither exported nor
// aborted: the home screen offers to resume it or to abort it.
type Unfinished struct {
	ID      string
	Kind    Kind
	Date    string // the ceremony date in the plan, YYYY-MM-DD
	Step    string // "planned", "signed" or "verified"
	Summary string // one line: what it does, e.g. "infusion-pump 1.4.0, security version 2 -> 3"
	Quorum  Quorum // approvals on disk, shares presented in this session
	// Signed: the irreversible step has run; only the export is left.
	Signed bool
}

// PINState is what a token reports of its user PIN (the PKCS#11
// CKF_USER_PIN_COUNT_LOW, _FINAL_TRY and _LOCKED flags).
type PINState struct {
	CountLow bool // a wrong PIN was entered since the last good one
	FinalTry bool // the next wrong PIN locks the token
	Locked   bool // locked: the security officer must reset it
}
