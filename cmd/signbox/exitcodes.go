package main

// Verifying commands tell "invalid" from "could not check": 0 valid, 1 a
// verdict of invalid or refused, 3 the evidence (a file, a key, a
// token) could not be read, so nothing is known about it. Audit
// verification adds 4 for an unsealed tail and 5 for a log checked only
// against its own key (unpinned).

// codedErr carries an exit code: 1 for a verdict of "invalid", 3 for
// "could not check".
type codedErr struct {
	error
	code int
}

func (e codedErr) ExitCode() int { return e.code }
func (e codedErr) Unwrap() error { return e.error }

// couldNotCheck marks failures to read the evidence, or that say nothing
// about it (unreadable key file, bad digest argument): exit 3, not 1.
type couldNotCheck struct{ error }

func (couldNotCheck) ExitCode() int   { return 3 }
func (c couldNotCheck) Unwrap() error { return c.error }
