package demo

import (
	"os"
	"path/filepath"
	"time"

	"signbox/policy"
	"signbox/vuln"
)

// PreTriageDecision is the release manager's recorded analysis for a
// finding the demo decides before the ceremony. The demo firmware is
// built from a desktop application's SBOM, so "not reachable" is the
// plausible story; a real release manager writes a real detail.
func PreTriageDecision(id, component string, at time.Time) vuln.Decision {
	return vuln.Decision{Vuln: id, Component: component, State: vuln.StateNotAffected,
		Justification: "code_not_reachable",
		Detail:        "demo pre-triage: the pump firmware never calls the affected code path",
		By:            "release manager", At: at.UTC()}
}

func readPolicy(root string) (*policy.Policy, error) {
	b, err := os.ReadFile(filepath.Join(root, "policy.yaml"))
	if err != nil {
		return nil, err
	}
	return policy.Parse(b)
}
