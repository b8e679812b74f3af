package ceremony

// Step is where a ceremony session stands. The order is the ceremony's:
// each step needs the one before it.
type Step int

const (
	StepPlanned         Step = iota + 1 // plan loaded
	StepInputsVerified                  // every input re-hashed and parsed
	StepPolicyEvaluated                 // the policy allows this plan
	StepQuorum                          // enough approvals counted
	StepSigning                         // HSM work started (persisted before it starts)
	StepSigned                          // outputs written
	StepVerified                        // outputs re-read and verified
	StepExported                        // workspace records updated; done
	StepAborted                         // abandoned by the operators; never resumes
)

var stepNames = map[Step]string{
	StepPlanned:         "planned",
	StepInputsVerified:  "inputs verified",
	StepPolicyEvaluated: "policy evaluated",
	StepQuorum:          "quorum reached",
	StepSigning:         "signing",
	StepSigned:          "signed",
	StepVerified:        "verified",
	StepExported:        "exported",
	StepAborted:         "aborted",
}

func (s Step) String() string {
	if n, ok := stepNames[s]; ok {
		return n
	}
	return "unknown"
}

// persisted reports whether the step is written to state.json. The steps
// before signing are re-done in memory after a restart, which re-checks
// everything the signature depends on.
func (s Step) persisted() bool { return s == StepPlanned || s >= StepSigning }

// done reports whether the ceremony is closed for good.
func (s Step) done() bool { return s == StepExported || s == StepAborted }
