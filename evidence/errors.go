package evidence

import "errors"

// ErrNoClinical reports a release request without its clinical block: the
// hospital documents cannot be written without it.
var ErrNoClinical = errors.New("release request has no clinical block")

// ErrInputs reports inputs that are missing or inconsistent; the wrapping
// error names every field.
var ErrInputs = errors.New("invalid evidence inputs")
