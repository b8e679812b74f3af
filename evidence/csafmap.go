package evidence

import (
	"regexp"
	"strings"
)

// CSAF product status of a group of VEX entries. The most urgent state
// wins: one exploitable component makes the product known_affected. The
// state mapping follows the CISA/CycloneDX VEX mapping (exploitable ->
// affected, resolved -> fixed, in_triage -> under_investigation,
// not_affected -> not_affected); false_positive is reported as not
// affected, the CSAF status closest to "the finding was wrong".
const (
	statusAffected      = "known_affected"
	statusInvestigating = "under_investigation"
	statusFixed         = "fixed"
	statusNotAffected   = "known_not_affected"
)

func groupStatus(v vulnerability) string {
	rank := map[string]int{statusNotAffected: 0, statusFixed: 1, statusInvestigating: 2, statusAffected: 3}
	best := statusNotAffected
	for _, e := range v.Entries {
		if s := entryStatus(e.State); rank[s] > rank[best] {
			best = s
		}
	}
	return best
}

func entryStatus(state string) string {
	switch state {
	case "exploitable":
		return statusAffected
	case "in_triage":
		return statusInvestigating
	case "resolved", "resolved_with_pedigree":
		return statusFixed
	default: // not_affected, false_positive
		return statusNotAffected
	}
}

// flagLabel maps a CycloneDX justification to a CSAF 2.0 §3.2.3.5 flag
// label. CycloneDX has nine justifications, CSAF five labels; the
// "requires_*" cases say an attacker cannot reach the condition, and every
// "protected_*" case is a mitigation already in place.
func flagLabel(state, justification string) string {
	switch justification {
	case "code_not_present":
		return "vulnerable_code_not_present"
	case "code_not_reachable":
		return "vulnerable_code_not_in_execute_path"
	case "requires_dependency":
		return "component_not_present"
	case "requires_configuration", "requires_environment":
		return "vulnerable_code_cannot_be_controlled_by_adversary"
	case "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control":
		return "inline_mitigations_already_exist"
	}
	if state == "false_positive" {
		return "vulnerable_code_not_present"
	}
	return ""
}

// remediationCategory maps the CycloneDX responses of an exploitable
// finding to a CSAF remediation category.
func remediationCategory(responses []string) string {
	for _, want := range []struct{ resp, cat string }{
		{"update", "vendor_fix"}, {"workaround_available", "workaround"}, {"rollback", "mitigation"},
		{"will_not_fix", "no_fix_planned"}, {"can_not_fix", "no_fix_planned"},
	} {
		for _, r := range responses {
			if r == want.resp {
				return want.cat
			}
		}
	}
	return "none_available"
}

var cvePattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

// idSystem names the database an identifier comes from, by its prefix.
func idSystem(id string) string {
	switch {
	case strings.HasPrefix(id, "GHSA-"):
		return "GitHub Advisory Database"
	case strings.HasPrefix(id, "GO-"):
		return "Go Vulnerability Database"
	case strings.HasPrefix(id, "RUSTSEC-"):
		return "RustSec Advisory Database"
	case strings.HasPrefix(id, "PYSEC-"):
		return "PyPI Advisory Database"
	case strings.HasPrefix(id, "CVE-"):
		return "CVE"
	}
	return "OSV"
}

// cvssSeverity is the CVSS v3 qualitative rating of a base score (CVSS
// v3.1 specification, section 5).
func cvssSeverity(score float64) string {
	switch {
	case score == 0:
		return "NONE"
	case score < 4:
		return "LOW"
	case score < 7:
		return "MEDIUM"
	case score < 9:
		return "HIGH"
	}
	return "CRITICAL"
}
