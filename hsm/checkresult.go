package hsm

// CheckResult is what Check found for one algorithm on a token.
type CheckResult struct {
	Algorithm Algorithm `json:"algorithm"`
	Key       string    `json:"key,omitempty"` // the planned key this row is for, if any
	Generate  bool      `json:"generate"`
	Sign      bool      `json:"sign"`
	Verify    bool      `json:"verify"`
	// Mechanism is how a digest is signed, e.g. "CKM_RSA_PKCS_PSS + host
	// hash" or "CKM_RSA_X_509 + host EMSA-PSS"; Message how a whole message
	// is (a combined mechanism when the token has one).
	Mechanism string `json:"mechanism,omitempty"`
	Message   string `json:"message_mechanism,omitempty"`
	// Missing names the mechanisms the token's list lacks; Error any other
	// failure.
	Missing string `json:"missing,omitempty"`
	Error   string `json:"error,omitempty"`
}

// OK reports whether generation, signing and verification all work.
func (r CheckResult) OK() bool { return r.Generate && r.Sign && r.Verify }

// Feature is one token capability beyond signing keys that some signbox
// role needs, as `hsm check` reports it.
type Feature struct {
	Name string `json:"name"` // e.g. "public data objects"
	// Needed says who needs it: "appliance token", "custodian token".
	Needed string `json:"needed_by"`
	OK     bool   `json:"ok"`
	// Via is the mechanism or object class probed; Error why it failed.
	Via   string `json:"via"`
	Error string `json:"error,omitempty"`
}
