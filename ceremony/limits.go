package ceremony

// Every bound on outside input lives here, with its reason.
const (
	// MaxInputSize bounds one input file. ESP flash partitions are at most
	// 16 MiB; SBOMs are far smaller.
	MaxInputSize = 32 << 20

	// MaxPlanSize bounds plan.json; a plan is a few KiB.
	MaxPlanSize = 1 << 20

	// MaxEnvelopeSize bounds an approvals envelope: the plan plus one
	// signature per custodian.
	MaxEnvelopeSize = 4 << 20

	// MaxApprovals bounds the signatures on one envelope. No policy needs
	// more custodians than this.
	MaxApprovals = 64

	// MaxReasonLength bounds the free-text reason of a revocation.
	MaxReasonLength = 500
)
