package api

// The VEX vocabularies offered on the triage screen. They are the
// CycloneDX 1.6 impactAnalysis enums (state, justification, response);
// see ../shared/design/vuln.md.

// States returns the analysis states in the order the form offers them.
func States() []string {
	return []string{"not_affected", "exploitable", "in_triage", "false_positive", "resolved"}
}

// Justifications returns the not_affected justifications.
func Justifications() []string {
	return []string{
		"code_not_present", "code_not_reachable", "requires_configuration",
		"requires_dependency", "requires_environment", "protected_by_compiler",
		"protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control",
	}
}

// Responses returns the vendor responses.
func Responses() []string {
	return []string{"can_not_fix", "will_not_fix", "update", "rollback", "workaround_available"}
}
