package vuln

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFixedInSBOM is what every [NotResolvedError] unwraps to.
var ErrNotFixedInSBOM = errors.New("resolved, but the SBOM does not have a fixed version")

// NotResolvedError says why a resolved (or resolved_with_pedigree)
// decision is not accepted for a finding: the release's SBOM still has a
// version the advisory affects.
type NotResolvedError struct {
	State       State
	Finding     string   // the finding's ID
	Component   string   // the component's name
	Version     string   // its version in the SBOM
	Fixed       []string // the finding's fixed versions, if any
	Unevaluated string   // why its ranges could not be evaluated, if so
}

func (e *NotResolvedError) Error() string {
	s := fmt.Sprintf("%s needs the fix in the SBOM, but it has %s %s", e.State, e.Component, e.Version)
	switch {
	case e.Unevaluated != "":
		return s + fmt.Sprintf(", and %s's ranges could not be evaluated against it (%s)", e.Finding, e.Unevaluated)
	case len(e.Fixed) == 1:
		return s + fmt.Sprintf(", below %s's fixed version %s", e.Finding, e.Fixed[0])
	case len(e.Fixed) > 1:
		return s + fmt.Sprintf(", below %s's fixed versions %s", e.Finding, strings.Join(e.Fixed, ", "))
	}
	return s + fmt.Sprintf(", which %s affects with no fixed version", e.Finding)
}

func (e *NotResolvedError) Unwrap() error { return ErrNotFixedInSBOM }

// CheckResolved accepts state s for finding f unless s is resolved or
// resolved_with_pedigree and the SBOM's version of the component is not at
// or above one of the advisory's fixed versions.
//
// A finding exists only because one of its records' affected ranges (or
// versions list) includes the SBOM's version, and its Fixed versions are
// those of exactly the ranges that matched; the version is compared with
// them rather than assumed below them, so that a finding read back or
// built elsewhere meets the same rule. A finding whose ranges could not be
// evaluated is never shown fixed. When the release really carries the fix,
// the advisory's ranges exclude the SBOM's version and the scan reports no
// finding: a resolved decision left from before then matches nothing and
// the gate lists it as stale.
func CheckResolved(f *Finding, s State) error {
	if s != StateResolved && s != StateResolvedWithPedigree {
		return nil
	}
	if f.Unevaluated == "" && atOrAboveFix(f) {
		return nil
	}
	return &NotResolvedError{State: s, Finding: f.ID, Component: f.Component.Name, Version: f.Component.Version,
		Fixed: f.Fixed, Unevaluated: f.Unevaluated}
}

// atOrAboveFix reports whether the component's version orders at or
// above one of the finding's fixed versions in its ecosystem's ordering.
func atOrAboveFix(f *Finding) bool {
	parse := parserFor("ECOSYSTEM", f.Component.Ecosystem)
	v, err := parse(f.Component.Version)
	if err != nil {
		return false
	}
	for _, fx := range f.Fixed {
		w, err := parse(fx)
		if err != nil {
			continue
		}
		if c, err := v.Compare(w); err == nil && c >= 0 {
			return true
		}
	}
	return false
}
