package tui

import "signbox/tui/api"

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
func kindTitle(k api.Kind) string {
	switch k {
	case api.KindKeyGen:
		return "Key generation"
	case api.KindRevocation:
		return "Key revocation"
	case api.KindPolicyChange:
		return "Policy change"
	}
	return "Release signing"
}

// flow is what the current ceremony has produced so far. It is plain data
// held by the root model; pages get copies of what they need.
type flow struct {
	kind     api.Kind // "" when no ceremony is running
	pos      int      // index into steps(kind)
	request  api.Request
	policy   api.PolicyChange
	keyLabel string
	plan     api.Plan
	executed bool
	export   api.Export
}

func (f flow) active() bool { return f.kind != "" }

func (f flow) step() step { return steps(f.kind)[f.pos] }

func (f flow) requestID() string {
	if f.kind == api.KindPolicyChange {
		return f.policy.ID
	}
	return f.request.ID
}
