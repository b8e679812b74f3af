package api

import "context"

// Engine is everything the TUI asks of the appliance. The TUI calls every
// method only from inside a tea.Cmd, never from Update or View, so a method
// may block for as long as the HSM, the disk or the media needs.
//
// Rules for implementations:
//   - Honour ctx: the TUI cancels it when the operator cancels a step or
//     quits. A result returned after cancellation is discarded by the TUI.
//   - Be safe for concurrent use: a cancelled call may still be running when
//     the operator starts the next one.
//   - Never retain slices passed in (notably the PIN in Approve).
//   - Return errors that say what happened; if an error (or anything it
//     wraps) implements [Hinter], the TUI shows its Hint as the next step.
//   - Enforce every rule and the step order yourself: the TUI only reflects
//     the state and never stands in for a check.
type Engine interface {
	// Status reports the workspace, policy, HSM tokens, released security
	// versions and audit log state for the home screen.
	Status(ctx context.Context) (Status, error)

	// Kinds lists the ceremony kinds the policy allows, in display order.
	// A kind with Available false is shown but cannot be started.
	Kinds(ctx context.Context) ([]CeremonyKind, error)

	// ImportRequest verifies and imports a release request from removable
	// media (mediaPath is a directory holding request.json and its files)
	// and summarises it. Nothing on the media is trusted before this
	// returns without error.
	ImportRequest(ctx context.Context, mediaPath string) (Request, error)

	// ImportPolicy verifies and imports a proposed policy file for a policy
	// change ceremony and returns what would change, line by line.
	ImportPolicy(ctx context.Context, path string) (PolicyChange, error)

	// Triage scans the imported request's SBOM against the imported
	// vulnerability feed and returns the findings with any decisions
	// already recorded, plus the policy gate's verdict.
	Triage(ctx context.Context, requestID string) (Triage, error)

	// Decide records one VEX decision for one finding (replacing an earlier
	// decision for it) and returns the updated triage. It must reject a
	// decision the vocabulary or policy does not allow (for example
	// not_affected without a justification) with an error naming the field.
	Decide(ctx context.Context, requestID, findingID string, d Decision) (Triage, error)

	// Keys lists the key inventory from policy with each key's state in the
	// HSM, for the key generation and key revocation ceremonies.
	Keys(ctx context.Context) ([]Key, error)

	// Plan builds (or reloads, if an identical one exists) the canonical
	// plan for a ceremony and returns it with its digest.
	Plan(ctx context.Context, req PlanRequest) (Plan, error)

	// Custodians lists who may approve this plan, each with the tokens that
	// are present and whether they have already approved.
	Custodians(ctx context.Context, planID string) ([]Custodian, error)

	// Approve logs in to the custodian's token with pin, signs the plan
	// digest with their approval key and records the approval. The TUI
	// zeroes pin as soon as Approve returns; Approve must not keep it.
	// A wrong PIN must come back as an error (the TUI lets them retry).
	Approve(ctx context.Context, planID, custodian, tokenID string, pin []byte) (Quorum, error)

	// Execute performs the ceremony's irreversible HSM step once quorum is
	// reached: sign (release), generate keys (key generation), retire a
	// key slot (revocation), or adopt the new policy (policy change).
	// It may send progress events on progress while it runs; every send
	// must also select on ctx.Done(), and nothing may be sent after
	// Execute returns (the TUI closes the channel then).
	Execute(ctx context.Context, planID string, progress chan<- Progress) (Outcome, error)

	// Verify checks what Execute produced against the pinned keys and the
	// plan, independently of Execute, and lists each check.
	Verify(ctx context.Context, planID string) ([]Check, error)

	// Export writes the bundle (or the ceremony's outputs) to a new
	// directory under mediaPath, verifies the copy, issues an audit
	// checkpoint and closes the ceremony. It must never overwrite.
	Export(ctx context.Context, planID, mediaPath string) (Export, error)

	// Abort records that the operators abandoned the ceremony (with a
	// reason) in the ceremony state and the audit log.
	Abort(ctx context.Context, planID, reason string) error

	// Unfinished lists the ceremonies that were planned but neither
	// exported nor aborted, oldest first: the ones that can be resumed
	// (or aborted) after the operators left or the appliance restarted.
	Unfinished(ctx context.Context) ([]Unfinished, error)

	// Resume reloads an unfinished ceremony's plan, as Plan returned it,
	// with the approvals and shares so far. It refuses a ceremony that is
	// exported, aborted or was interrupted while signing.
	Resume(ctx context.Context, planID string) (Plan, error)

	// Suspend ends the ceremony's session without closing it: the shares
	// presented in this session are wiped and the appliance token is
	// locked again. The plan, its approvals and any outputs stay on disk
	// for Resume. Like Abort, it must run even when ctx is cancelled.
	Suspend(ctx context.Context, planID string) error

	// AuditLog returns the appliance audit log for the viewer, with the
	// result of verifying it.
	AuditLog(ctx context.Context) (AuditLog, error)

	// Rehearse installs a bundle on the emulated device and reboots it,
	// returning the install and boot trace. The new image is left pending
	// verification.
	Rehearse(ctx context.Context, bundlePath string) (Rehearsal, error)

	// FinishRehearsal confirms (raising the emulated eFuse secure version,
	// which cannot be undone on that device) or rejects (rolling back) the
	// pending image, reboots, and returns the new trace.
	FinishRehearsal(ctx context.Context, confirm bool) (Rehearsal, error)
}

// Hinter is implemented by errors that know what the operator should do
// next. The TUI shows Hint() under the error.
type Hinter interface {
	Hint() string
}

// PINStater is implemented by errors from Approve that know what the
// custodian's token says of its PIN after a failed login. The TUI shows
// it next to the PIN field.
type PINStater interface {
	PINState() PINState
}
