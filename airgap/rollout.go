package airgap

import (
	"fmt"
	"strings"
)

// check validates a staged rollout: named waves in order, each either a
// share of the fleet or a list of sites, shares adding up to at most 100%,
// and hold criteria between waves (so after every wave but the last).
func (r *Rollout) check(missing func(string), invalid func(string, string, ...any)) {
	if len(r.Waves) == 0 {
		missing("rollout.waves")
		return
	}
	if len(r.Waves) > maxWaves {
		invalid("rollout.waves", "%d waves, at most %d", len(r.Waves), maxWaves)
		return
	}
	names := map[string]bool{}
	total := 0
	for i, w := range r.Waves {
		f := fmt.Sprintf("rollout.waves[%d]", i)
		if w.Name == "" {
			missing(f + ".name")
		} else if err := checkProse(w.Name, maxShortText); err != nil {
			invalid(f+".name", "%v", err)
		} else if names[strings.ToLower(w.Name)] {
			invalid(f+".name", "%q used twice", w.Name)
		}
		names[strings.ToLower(w.Name)] = true
		total += w.FleetPercent
		w.checkTarget(f, missing, invalid)
		last := i == len(r.Waves)-1
		w.checkHold(f, last, missing, invalid)
	}
	if total > 100 {
		invalid("rollout.waves", "fleet_percent adds up to %d, more than 100", total)
	}
}

func (w Wave) checkTarget(f string, missing func(string), invalid func(string, string, ...any)) {
	switch {
	case w.FleetPercent == 0 && len(w.Sites) == 0:
		missing(f + ".fleet_percent or .sites")
	case w.FleetPercent != 0 && len(w.Sites) != 0:
		invalid(f, "give fleet_percent or sites, not both")
	case w.FleetPercent < 0 || w.FleetPercent > 100:
		invalid(f+".fleet_percent", "%d outside 1..100", w.FleetPercent)
	case len(w.Sites) > maxWaveSites:
		invalid(f+".sites", "%d sites, at most %d", len(w.Sites), maxWaveSites)
	default:
		for j, s := range w.Sites {
			if err := checkProse(s, maxShortText); err != nil {
				invalid(fmt.Sprintf("%s.sites[%d]", f, j), "%v", err)
			}
		}
	}
}

func (w Wave) checkHold(f string, last bool, missing func(string), invalid func(string, string, ...any)) {
	if w.HoldHours < 0 || w.HoldHours > maxInstallMinute/60 {
		invalid(f+".hold_hours", "%d outside 0..%d", w.HoldHours, maxInstallMinute/60)
	}
	switch {
	case last && (len(w.HoldCriteria) > 0 || w.HoldHours > 0):
		invalid(f, "the last wave has nothing to hold for: drop hold_hours and hold_criteria")
	case !last && len(w.HoldCriteria) == 0:
		missing(f + ".hold_criteria")
	default:
		checkList(f+".hold_criteria", w.HoldCriteria, invalid)
	}
}
