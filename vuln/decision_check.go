package vuln

import (
	"errors"
	"fmt"
	"strings"
)

// Check enforces the CycloneDX enums and the meaning of the analysis
// fields (vuln.md section 3), refusing combinations that contradict each
// other:
//   - a justification explains not_affected and nothing else, and
//     not_affected needs one, with a detail saying why;
//   - false_positive, can_not_fix and will_not_fix explain themselves in
//     the detail;
//   - resolved and resolved_with_pedigree say the fix is in, so they take
//     neither can_not_fix nor will_not_fix;
//   - exploitable says what is done about it: at least one response;
//   - in_triage is undecided, so it takes no response;
//   - update or rollback contradict can_not_fix or will_not_fix, and no
//     response is listed twice;
//   - every decision names who made it and when.
//
// [Decision.CheckFinding] adds the rules that need the finding itself.
func (d Decision) Check() error { return errors.Join(d.problems()...) }

// checkForm is what a stored decision must satisfy to be read and keyed.
func (d Decision) checkForm() error { return errors.Join(d.formProblems()...) }

func (d Decision) problems() []error {
	return append(d.formProblems(), d.meaningProblems()...)
}

func (d Decision) formProblems() []error {
	var errs []error
	if d.Vuln == "" || d.Component == "" {
		errs = append(errs, errors.New("decision needs the vulnerability ID and the component"))
	}
	if !validStates[d.State] {
		errs = append(errs, fmt.Errorf("state %q is not one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected", d.State))
	}
	if d.Justification != "" && !validJustifications[d.Justification] {
		errs = append(errs, fmt.Errorf("justification %q is not a CycloneDX justification", d.Justification))
	}
	for _, r := range d.Responses {
		if !validResponses[r] {
			errs = append(errs, fmt.Errorf("response %q is not one of can_not_fix, will_not_fix, update, rollback, workaround_available", r))
		}
	}
	if strings.TrimSpace(d.By) == "" {
		errs = append(errs, errors.New("decision needs who made it"))
	}
	if d.At.IsZero() {
		errs = append(errs, errors.New("decision needs when it was made"))
	}
	return errs
}

func (d Decision) meaningProblems() []error {
	var errs []error
	if d.Justification != "" && d.State != StateNotAffected {
		errs = append(errs, fmt.Errorf("a justification explains not_affected, but the state is %s", d.State))
	}
	switch d.State {
	case StateNotAffected:
		if d.Justification == "" || d.Detail == "" {
			errs = append(errs, errors.New("not_affected needs a justification and a detail saying why"))
		}
	case StateFalsePositive:
		if d.Detail == "" {
			errs = append(errs, errors.New("false_positive needs a detail saying why"))
		}
	case StateExploitable:
		if len(d.Responses) == 0 {
			errs = append(errs, errors.New("exploitable needs a response: update, rollback, workaround_available, can_not_fix or will_not_fix"))
		}
	case StateInTriage:
		if len(d.Responses) > 0 {
			errs = append(errs, fmt.Errorf("in_triage is undecided, so it takes no response (got %s)", strings.Join(d.Responses, ", ")))
		}
	}
	return append(errs, d.responseProblems()...)
}

// notFixing are the responses that say the release keeps the vulnerable
// code; fixing are those that say it does not.
var (
	notFixing = []string{"can_not_fix", "will_not_fix"}
	fixing    = []string{"update", "rollback"}
)

func (d Decision) responseProblems() []error {
	var errs []error
	seen := map[string]bool{}
	for _, r := range d.Responses {
		if seen[r] {
			errs = append(errs, fmt.Errorf("response %s is listed twice", r))
		}
		seen[r] = true
	}
	for _, r := range notFixing {
		if !seen[r] {
			continue
		}
		if d.Detail == "" {
			errs = append(errs, fmt.Errorf("response %s needs a detail saying why", r))
		}
		if d.State == StateResolved || d.State == StateResolvedWithPedigree {
			errs = append(errs, fmt.Errorf("%s says the fix is in the release, so response %s contradicts it", d.State, r))
		}
		for _, f := range fixing {
			if seen[f] {
				errs = append(errs, fmt.Errorf("responses %s and %s contradict each other", f, r))
			}
		}
	}
	return errs
}

// CheckFinding is [Decision.Check] for a decision made on f, a finding of
// the current scan: the decision must name f (its ID or an alias, and its
// component), and resolved needs the fixed version in the SBOM
// ([CheckResolved]).
func (d Decision) CheckFinding(f *Finding) error {
	errs := d.problems()
	if !d.names(f) {
		errs = append(errs, fmt.Errorf("decision is for %s in %s, not for the finding %s in %s", d.Vuln, d.Component, f.ID, f.Component.Key()))
	}
	if err := CheckResolved(f, d.State); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (d Decision) names(f *Finding) bool {
	if d.Component != f.Component.Key() {
		return false
	}
	for _, id := range f.IDs() {
		if id == d.Vuln {
			return true
		}
	}
	return false
}

// RecordFinding is [Decisions.Record] for a decision made on f, a finding
// of the current scan, checked with [Decision.CheckFinding] first.
func (ds *Decisions) RecordFinding(f *Finding, x Decision) error {
	if err := x.CheckFinding(f); err != nil {
		return err
	}
	return ds.Record(x)
}

// joinProblems renders errors on one line, for a gate reason.
func joinProblems(errs []error) string {
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

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
	p := parserFor("ECOSYSTEM", f.Component.Ecosystem)
	v, err := p.parse(f.Component.Version)
	if err != nil {
		return false
	}
	for _, fx := range f.Fixed {
		w, err := p.parse(fx)
		if err != nil {
			continue
		}
		if c, err := compareVersions(v, w); err == nil && c >= 0 {
			return true
		}
	}
	return false
}
