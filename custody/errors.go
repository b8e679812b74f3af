package custody

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Test for them with errors.Is; the typed error that wraps
// each one names the custodian and the set, in words a custodian at the
// ceremony can act on.
var (
	// ErrInvalidSet: a share set (being made, or read from a manifest)
	// breaks a rule of the format or a bound in limits.go.
	ErrInvalidSet = errors.New("invalid share set")
	// ErrBadSignature: the manifest is not signed by the pinned appliance key.
	ErrBadSignature = errors.New("share set manifest signature does not verify")
	// ErrNotHolder: the named person holds no share in the set.
	ErrNotHolder = errors.New("not a holder of this share set")
	// ErrWrongSet: a set or share was made for another set, appliance or policy.
	ErrWrongSet = errors.New("share set is for something else")
	// ErrWrongToken: a custodian's token did not open their sealed share.
	ErrWrongToken = errors.New("token did not open the share")
	// ErrCommitment: a decrypted share fails the Feldman check.
	ErrCommitment = errors.New("share does not match the set's commitments")
	// ErrDuplicateShare: the collector already holds this custodian's share.
	ErrDuplicateShare = errors.New("share already collected")
	// ErrTooFewShares: fewer shares than the threshold.
	ErrTooFewShares = errors.New("too few shares")
	// ErrWrongSecret: the rebuilt secret does not match commitment 0.
	ErrWrongSecret = errors.New("rebuilt secret does not match the set")
	// ErrWiped: a Secret, Share or Collector was used after Wipe.
	ErrWiped = errors.New("used after wipe")
)

// InvalidSetError reports which rule a share set breaks; Err is the
// underlying decoding error, if any.
type InvalidSetError struct {
	Reason string
	Err    error
}

func (e *InvalidSetError) Error() string {
	if e.Err != nil {
		return "invalid share set: " + e.Reason + ": " + e.Err.Error()
	}
	return "invalid share set: " + e.Reason
}

func (e *InvalidSetError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidSet}
	}
	return []error{ErrInvalidSet, e.Err}
}

func invalid(format string, args ...any) error {
	return &InvalidSetError{Reason: fmt.Sprintf(format, args...)}
}

// NotHolderError: Name is not among the set's holders.
type NotHolderError struct {
	Set     string
	Name    string
	Holders []string
}

func (e *NotHolderError) Error() string {
	return fmt.Sprintf("%s holds no share in set %s (holders: %s)", e.Name, e.Set, strings.Join(e.Holders, ", "))
}

func (e *NotHolderError) Unwrap() error { return ErrNotHolder }

// Mismatch is one header field that differs from what the caller expects.
type Mismatch struct {
	Field string // "appliance", "policy serial" or "policy digest"
	InSet string // what the set was made for
	Want  string // what the caller has
}

// MismatchError: the set was made for another appliance or policy.
type MismatchError struct {
	Set        string
	Mismatches []Mismatch
}

func (e *MismatchError) Error() string {
	parts := make([]string, len(e.Mismatches))
	for i, m := range e.Mismatches {
		parts[i] = fmt.Sprintf("for %s %s, not %s", m.Field, m.InSet, m.Want)
	}
	return fmt.Sprintf("share set %s was made %s", e.Set, strings.Join(parts, "; "))
}

func (e *MismatchError) Unwrap() error { return ErrWrongSet }

// WrongSetError: a share from one set was offered to another set's collector.
type WrongSetError struct {
	Holder         string
	ShareSet       string // the set the share was unsealed from
	ShareAppliance string
	Set            string // the collector's set
	Appliance      string
}

func (e *WrongSetError) Error() string {
	return fmt.Sprintf("share of %s is from set %s (appliance %s), not set %s (appliance %s)",
		e.Holder, e.ShareSet, e.ShareAppliance, e.Set, e.Appliance)
}

func (e *WrongSetError) Unwrap() error { return ErrWrongSet }

// UnsealError: a custodian's token did not open their share. SealedTo is
// the fingerprint of the key the share was sealed to; TokenKey is the
// token's, set when the two differ.
type UnsealError struct {
	Holder   string
	Set      string
	Index    int
	SealedTo string
	TokenKey string
	Err      error // the cause, when the keys match
}

func (e *UnsealError) Error() string {
	msg := fmt.Sprintf("%s's token did not open share %d of set %s: it was sealed to key %s",
		e.Holder, e.Index, e.Set, e.SealedTo)
	if e.TokenKey != "" {
		return msg + ", and this token holds " + e.TokenKey
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *UnsealError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrWrongToken}
	}
	return []error{ErrWrongToken, e.Err}
}

// CommitmentError: Holder's decrypted share is not a point on the
// polynomial the set commits to. Either the share or the commitments were
// altered after the set was made; the share must not be used.
type CommitmentError struct {
	Holder string
	Set    string
}

func (e *CommitmentError) Error() string {
	return fmt.Sprintf("share of %s does not match the set's commitments (set %s); it is refused", e.Holder, e.Set)
}

func (e *CommitmentError) Unwrap() error { return ErrCommitment }

// DuplicateShareError: Holder's share is already in the collector.
type DuplicateShareError struct {
	Holder string
	Set    string
}

func (e *DuplicateShareError) Error() string {
	return fmt.Sprintf("set %s already has the share of %s", e.Set, e.Holder)
}

func (e *DuplicateShareError) Unwrap() error { return ErrDuplicateShare }

// QuorumError: Combine was called with fewer than Need shares.
type QuorumError struct {
	Set     string
	Need    int      // the set's threshold
	Holders int      // how many hold a share
	Have    []string // who has given theirs
}

func (e *QuorumError) Error() string {
	have := "none"
	if len(e.Have) > 0 {
		have = strings.Join(e.Have, ", ")
	}
	return fmt.Sprintf("set %s: %d of %d shares needed; have %d: %s", e.Set, e.Need, e.Holders, len(e.Have), have)
}

func (e *QuorumError) Unwrap() error { return ErrTooFewShares }
