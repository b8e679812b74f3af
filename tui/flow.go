package tui

import (
	"signbox/tui/api"
	"signbox/tui/common"
)

// step is one screen of a ceremony.
type step int

const (
	stImport step = iota
	stReview
	stTriage
	stKeys
	stPlan
	stApprovals
	stExecute
	stVerify
	stExport
	stDone
)

// steps is the screen order for each ceremony kind. The engine enforces
// the real order; this only decides which screen comes next.
func steps(k api.Kind) []step {
	switch k {
	case api.KindKeyGen, api.KindRevocation:
		return []step{stKeys, stPlan, stApprovals, stExecute, stVerify, stExport, stDone}
	case api.KindPolicyChange:
		return []step{stImport, stReview, stPlan, stApprovals, stExecute, stVerify, stExport, stDone}
	}
	return []step{stImport, stReview, stTriage, stPlan, stApprovals, stExecute, stVerify, stExport, stDone}
}

// kindTitle names a ceremony kind in the header.
func kindTitle(k api.Kind) string { return common.KindTitle(k) }

// flow is what the current ceremony has produced so far. It is plain data
// held by the root model; pages get copies of what they need.
type flow struct {
	kind     api.Kind // "" when no ceremony is running
	pos      int      // index into steps(kind)
	request  api.Request
	policy   api.PolicyChange
	keyLabel string
	plan     api.Plan // set as soon as the engine built it
	executed bool     // the irreversible step has run (in this or an earlier session)
	// attempted: the irreversible step was started in this session and
	// has not reported success (it is running, failed or was cancelled),
	// so whether it signed is not known here.
	attempted bool
	export    api.Export
}

// resume is the flow of an unfinished ceremony, at its Approvals step:
// a planned one collects the approvals still missing, and in both cases
// the custodians who approved present their shares again (they died with
// the session that collected them).
func resume(p api.Plan, signed bool) flow {
	f := flow{kind: p.Kind, plan: p, executed: signed}
	for i, st := range steps(p.Kind) {
		if st == stApprovals {
			f.pos = i
		}
	}
	return f
}

// inside reports whether a ceremony is open and not yet done: leaving it
// asks first.
func (f flow) inside() bool { return f.active() && f.step() != stDone }

// started reports whether the ceremony has recorded anything: imported
// media, a policy proposal, a plan.
func (f flow) started() bool {
	return f.request.ID != "" || f.policy.ID != "" || f.plan.ID != ""
}

func (f flow) active() bool { return f.kind != "" }

// canStepBack reports whether esc may go back one step instead of
// offering to leave: on the review of what was imported, before any plan
// exists, going back to the import changes nothing (importing the same
// media again is a no-op, and the import stays recorded).
func (f flow) canStepBack() bool {
	return f.plan.ID == "" && f.pos > 0 && f.step() == stReview
}

func (f flow) step() step { return steps(f.kind)[f.pos] }

func (f flow) requestID() string {
	if f.kind == api.KindPolicyChange {
		return f.policy.ID
	}
	return f.request.ID
}
