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
