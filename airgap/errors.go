package airgap

import "errors"

// Sentinel reasons for refusing media. Every refusal is a *MediaError
// naming the offending path and wrapping exactly one of these, so callers
// and test corpora can match on the reason with errors.Is.
var (
	ErrMalformed     = errors.New("malformed media")
	ErrUnsafePath    = errors.New("unsafe path")
	ErrLink          = errors.New("link not allowed")
	ErrSpecialFile   = errors.New("special file not allowed")
	ErrDuplicate     = errors.New("duplicate name")
	ErrCaseCollision = errors.New("names differ only in case")
	ErrLimit         = errors.New("over limit")
	ErrNotListed     = errors.New("file not in manifest")
	ErrMissing       = errors.New("listed file missing")
	ErrSize          = errors.New("size mismatch")
	ErrDigest        = errors.New("SHA-256 mismatch")
	ErrChanged       = errors.New("media changed while being read")
	ErrManifest      = errors.New("invalid manifest")
	ErrSignature     = errors.New("signature check failed")
)

// MediaError reports why media was refused.
type MediaError struct {
	Path string // slash path on the media, or the media itself
	Err  error  // wraps one of the sentinels above
}

func (e *MediaError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *MediaError) Unwrap() error { return e.Err }

func refuse(path string, err error) error { return &MediaError{Path: path, Err: err} }
