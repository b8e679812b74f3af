package evidence

import (
	"encoding/json"
	"fmt"

	"signbox/airgap"
	"signbox/airgap/strictjson"
)

// RolloutPlan is rollout.json: how the release reaches the fleet. It is a
// bundle file, so the signed manifest covers it.
type RolloutPlan struct {
	Kind            string        `json:"kind"`
	Product         string        `json:"product"`
	Version         string        `json:"version"`
	UDIDI           string        `json:"udi_di"`
	SecurityVersion Versions      `json:"security_version"`
	ReleaseDate     string        `json:"release_date"`
	InstallMinutes  int           `json:"install_minutes"`
	DowntimeMinutes int           `json:"downtime_minutes"`
	RebootRequired  bool          `json:"reboot_required"`
	RebootSafeWhen  string        `json:"reboot_safe_when,omitempty"`
	Staged          bool          `json:"staged"`
	Waves           []airgap.Wave `json:"waves"`
}

func buildRollout(in *Inputs) ([]byte, error) {
	c := in.Clinical
	p := RolloutPlan{
		Kind: RolloutKind, Product: in.Product, Version: in.Version, UDIDI: c.UDIDI,
		SecurityVersion: in.SecurityVersion, ReleaseDate: in.date(),
		InstallMinutes: c.InstallMinutes, DowntimeMinutes: *c.DowntimeMinutes,
		RebootRequired: *c.Reboot.Required, RebootSafeWhen: c.Reboot.SafeWhen,
		Waves: []airgap.Wave{{Name: "all", FleetPercent: 100}},
	}
	if c.Rollout != nil {
		p.Staged, p.Waves = true, c.Rollout.Waves
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", RolloutName, err)
	}
	return append(b, '\n'), nil
}

// ParseRollout decodes rollout.json strictly and checks its waves with the
// release request's rules.
func ParseRollout(data []byte) (*RolloutPlan, error) {
	var p RolloutPlan
	if err := strictjson.Decode(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", RolloutName, err)
	}
	if p.Kind != RolloutKind {
		return nil, fmt.Errorf("%s: kind is %q, want %q", RolloutName, p.Kind, RolloutKind)
	}
	if p.Product == "" || p.Version == "" || p.UDIDI == "" {
		return nil, fmt.Errorf("%s: product, version and udi_di are required", RolloutName)
	}
	if p.RebootRequired && p.RebootSafeWhen == "" {
		return nil, fmt.Errorf("%s: reboot_required without reboot_safe_when", RolloutName)
	}
	if !p.Staged && (len(p.Waves) != 1 || p.Waves[0].FleetPercent != 100) {
		return nil, fmt.Errorf("%s: an unstaged rollout has one wave of 100%% of the fleet", RolloutName)
	}
	c := airgap.Rollout{Waves: p.Waves}
	down := p.DowntimeMinutes
	probe := airgap.Clinical{Impact: "-", InstallMinutes: max(p.InstallMinutes, 0), DowntimeMinutes: &down,
		Reboot: &airgap.Reboot{Required: &p.RebootRequired, SafeWhen: p.RebootSafeWhen}, Rollback: "-",
		UDIDI: p.UDIDI, MDS2: "-", Rollout: &c}
	if err := probe.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", RolloutName, err)
	}
	return &p, nil
}
