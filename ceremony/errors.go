package ceremony

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test for them with errors.Is; the wrapping error says
// what exactly went wrong.
var (
	ErrOutOfOrder        = errors.New("step out of order")
	ErrInterrupted       = errors.New("ceremony was interrupted while signing")
	ErrFinished          = errors.New("ceremony already finished")
	ErrPolicyChanged     = errors.New("policy changed since the plan was made")
	ErrInputChanged      = errors.New("input does not match the plan")
	ErrDuplicateApproval = errors.New("duplicate approval")
	ErrUnknownKey        = errors.New("approval key is not in the policy")
	ErrWrongRole         = errors.New("approver's role does not count for this ceremony")
	ErrWrongPlan         = errors.New("approval is for another plan")
	ErrReplayed          = errors.New("approval is for an older ceremony")
	ErrBadSignature      = errors.New("approval signature does not verify")
	ErrTooFewApprovals   = errors.New("too few approvals")
	ErrNewPolicyApproval = errors.New("policy change approved under the new policy")
	ErrKeyMismatch       = errors.New("HSM key does not match the policy")
	ErrSecurityVersion   = errors.New("security version would go down")
	ErrPolicyDenied      = errors.New("policy does not allow this ceremony")
	ErrNotAsBuilt        = errors.New("the app image as built does not match the release")
)

// StepError reports a Session method called in the wrong state.
type StepError struct {
	Call string // the method, e.g. "Sign"
	Have Step   // where the session is
	Want Step   // where it must be
}

func (e *StepError) Error() string {
	return fmt.Sprintf("%s: session is at %q, needs %q first", e.Call, e.Have, e.Want)
}

func (e *StepError) Unwrap() error { return ErrOutOfOrder }
