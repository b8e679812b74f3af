package evidence

import "testing"

func TestFlagLabel(t *testing.T) {
	tests := []struct{ state, justification, want string }{
		{"not_affected", "code_not_present", "vulnerable_code_not_present"},
		{"not_affected", "code_not_reachable", "vulnerable_code_not_in_execute_path"},
		{"not_affected", "requires_dependency", "component_not_present"},
		{"not_affected", "requires_configuration", "vulnerable_code_cannot_be_controlled_by_adversary"},
		{"not_affected", "requires_environment", "vulnerable_code_cannot_be_controlled_by_adversary"},
		{"not_affected", "protected_by_compiler", "inline_mitigations_already_exist"},
		{"not_affected", "protected_at_runtime", "inline_mitigations_already_exist"},
		{"not_affected", "protected_at_perimeter", "inline_mitigations_already_exist"},
		{"not_affected", "protected_by_mitigating_control", "inline_mitigations_already_exist"},
		{"false_positive", "", "vulnerable_code_not_present"},
		{"not_affected", "", ""},
	}
	for _, tt := range tests {
		if got := flagLabel(tt.state, tt.justification); got != tt.want {
			t.Errorf("flagLabel(%s, %s) = %q, want %q", tt.state, tt.justification, got, tt.want)
		}
	}
}

func TestGroupStatus(t *testing.T) {
	v := func(states ...string) vulnerability {
		var g vulnerability
		for _, s := range states {
			g.Entries = append(g.Entries, finding{State: s})
		}
		return g
	}
	tests := []struct {
		v    vulnerability
		want string
	}{
		{v("resolved"), statusFixed},
		{v("resolved_with_pedigree", "not_affected"), statusFixed},
		{v("not_affected", "false_positive"), statusNotAffected},
		{v("not_affected", "in_triage"), statusInvestigating},
		{v("resolved", "exploitable", "in_triage"), statusAffected},
	}
	for _, tt := range tests {
		if got := groupStatus(tt.v); got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.v.Entries, got, tt.want)
		}
	}
}

func TestRemediationCategory(t *testing.T) {
	tests := map[string][]string{
		"vendor_fix":     {"will_not_fix", "update"},
		"workaround":     {"workaround_available"},
		"mitigation":     {"rollback"},
		"no_fix_planned": {"can_not_fix"},
		"none_available": nil,
	}
	for want, resp := range tests {
		if got := remediationCategory(resp); got != want {
			t.Errorf("%v: got %s, want %s", resp, got, want)
		}
	}
}
