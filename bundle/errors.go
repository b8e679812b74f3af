package bundle

import "errors"

// Verdicts. Every failed verification is a *VerifyError wrapping exactly
// one of these, so tools and the corrupt-bundle corpus match on them with
// errors.Is.
var (
	ErrMedia          = errors.New("unsafe or malformed bundle media")
	ErrSignature      = errors.New("manifest signature invalid")
	ErrManifest       = errors.New("manifest invalid")
	ErrMissing        = errors.New("listed file missing")
	ErrExtra          = errors.New("file not listed in manifest")
	ErrSize           = errors.New("size mismatch")
	ErrDigest         = errors.New("SHA-256 mismatch")
	ErrKeyDigest      = errors.New("public key does not match its eFuse digest")
	ErrImage          = errors.New("image invalid")
	ErrImageSignature = errors.New("image Secure Boot V2 signature invalid")
	ErrRevoked        = errors.New("image signed only by a revoked key")
	ErrProduct        = errors.New("bundle is for another product")
	ErrReplay         = errors.New("bundle is older than one already seen")
)

// VerifyError says which member of the bundle failed and why.
type VerifyError struct {
	Member string // path inside the bundle, or "" for the bundle as a whole
	Err    error  // wraps one of the verdicts above
}

func (e *VerifyError) Error() string {
	if e.Member == "" {
		return e.Err.Error()
	}
	return e.Member + ": " + e.Err.Error()
}

func (e *VerifyError) Unwrap() error { return e.Err }

func fail(member string, err error) error { return &VerifyError{Member: member, Err: err} }
