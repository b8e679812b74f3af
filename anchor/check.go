package anchor

import (
	"errors"
	"fmt"
	"sort"
)

// ErrMismatch is wrapped by every MismatchError.
var ErrMismatch = errors.New("workspace differs from the state pinned in the HSM")

// MismatchError names the workspace file that differs from the anchor.
type MismatchError struct {
	File    string // workspace-relative path, e.g. "policy.yaml"
	Detail  string
	Counter uint64 // the anchor it was checked against
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s: %s (HSM anchor #%d); refused: nothing was signed or changed", e.File, e.Detail, e.Counter)
}

func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Workspace is what the appliance observed in the workspace files, to be
// checked against an anchor.
type Workspace struct {
	PolicySerial uint64
	PolicyDigest string
	// PolicyAdoptedBy and PolicyPrevDigest come from the policy approval
	// chain: the policy-change ceremony that adopted the policy in force,
	// and the policy it replaced ("" for the genesis policy).
	PolicyAdoptedBy  string
	PolicyPrevDigest string
	// Floors is versions.json: product → security version and ceremony.
	Floors map[string]Floor
	// Steps is each ceremony's recorded step name (planned, approved,
	// signing, signed, verified, exported, aborted); a ceremony whose
	// directory is missing is absent.
	Steps map[string]string
	// AuditSize is the audit log's size, 0 when there is no log.
	AuditSize int64
	// AuditRoot returns the log's base64 root hash at a size it holds.
	AuditRoot func(size int64) (string, error)
}

// closedSteps are the ceremony steps after which nothing is signed.
var closedSteps = map[string]bool{"signing": true, "signed": true, "verified": true, "exported": true, "aborted": true}

// Check compares w with the anchor and returns the first difference as a
// *MismatchError, in a fixed order: policy, floors, ceremonies, audit.
func (s State) Check(w Workspace) error {
	for _, check := range []func(Workspace) *MismatchError{s.checkPolicy, s.checkFloors, s.checkCeremonies, s.checkAudit} {
		if m := check(w); m != nil {
			m.Counter = s.Counter
			return m
		}
	}
	return nil
}

// checkPolicy wants the anchored policy, or its successor adopted by a
// policy change the anchor already records as closed (a crash between
// writing the new policy and pinning it).
func (s State) checkPolicy(w Workspace) *MismatchError {
	adopted := w.PolicyAdoptedBy != "" && s.IsClosed(w.PolicyAdoptedBy) && w.PolicyPrevDigest == s.Policy.Digest
	if (w.PolicyDigest != s.Policy.Digest || w.PolicySerial != s.Policy.Serial) && !adopted {
		return &MismatchError{File: "policy.yaml", Detail: fmt.Sprintf("serial %d %s is not the policy the quorum approved (serial %d %s)",
			w.PolicySerial, w.PolicyDigest, s.Policy.Serial, s.Policy.Digest)}
	}
	return nil
}

// checkFloors wants versions.json to hold exactly the anchored floors. One
// difference is allowed: a product raised by a ceremony the anchor already
// records as closed (a crash between the export and the anchor update).
func (s State) checkFloors(w Workspace) *MismatchError {
	for _, p := range sortedKeys(s.Floors) {
		want, got := s.Floors[p], w.Floors[p]
		if _, ok := w.Floors[p]; !ok {
			return &MismatchError{File: "versions.json", Detail: fmt.Sprintf("%s has no released security version; the HSM pins %d (ceremony %s)", p, want.SecurityVersion, want.Ceremony)}
		}
		if got != want && !(got.SecurityVersion > want.SecurityVersion && s.IsClosed(got.Ceremony)) {
			return &MismatchError{File: "versions.json", Detail: fmt.Sprintf("%s is at security version %d (ceremony %s); the HSM pins %d (ceremony %s)", p, got.SecurityVersion, got.Ceremony, want.SecurityVersion, want.Ceremony)}
		}
	}
	for _, p := range sortedKeys(w.Floors) {
		got := w.Floors[p]
		if _, ok := s.Floors[p]; !ok && !s.IsClosed(got.Ceremony) {
			return &MismatchError{File: "versions.json", Detail: fmt.Sprintf("%s at security version %d by ceremony %s, which the HSM never saw signed", p, got.SecurityVersion, got.Ceremony)}
		}
	}
	return nil
}

func (s State) checkCeremonies(w Workspace) *MismatchError {
	for _, id := range s.Closed {
		step, ok := w.Steps[id]
		switch {
		case !ok:
			return &MismatchError{File: "ceremonies/" + id, Detail: "is missing; the HSM pins it as closed"}
		case !closedSteps[step]:
			return &MismatchError{File: "ceremonies/" + id + "/state.json", Detail: fmt.Sprintf("says %q; the HSM pins the ceremony as closed (signed or aborted)", step)}
		}
	}
	return nil
}

func (s State) checkAudit(w Workspace) *MismatchError {
	a := s.Audit
	switch {
	case a.Size == 0:
		return nil
	case w.AuditSize == 0:
		return &MismatchError{File: "audit/", Detail: fmt.Sprintf("no audit log; the HSM pins one of %d entries", a.Size)}
	case w.AuditSize < a.Size:
		return &MismatchError{File: "audit/log", Detail: fmt.Sprintf("has %d entries; the HSM pins %d: truncated or rolled back", w.AuditSize, a.Size)}
	}
	root, err := w.AuditRoot(a.Size)
	if err != nil {
		return &MismatchError{File: "audit/log", Detail: fmt.Sprintf("root at %d entries: %v", a.Size, err)}
	}
	if root != a.Root {
		return &MismatchError{File: "audit/log", Detail: fmt.Sprintf("its first %d entries hash to %s; the HSM pins %s: the log was replaced", a.Size, root, a.Root)}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
