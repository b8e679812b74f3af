package publish

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Rollout is a signed staged-rollout plan. Waves are cumulative and
// ordered by start: once wave i has started, a device in one of its groups
// (any group when Groups is empty) whose bucket is below its Percent may
// install. A halt stops every wave; it is published as a new targets
// version, signed like the release, so a device cannot be made to ignore it
// without the targets key. HaltConditions are for the people watching the
// rollout (which failure rates make them halt); a device cannot measure a
// fleet, so it only obeys the signed Halted flag.
type Rollout struct {
	Waves          []Wave   `json:"waves"`
	HaltConditions []string `json:"halt_conditions,omitempty"`
	Halted         bool     `json:"halted"`
	HaltReason     string   `json:"halt_reason,omitempty"`
}

// Wave is one stage of a rollout.
type Wave struct {
	Name    string    `json:"name"`
	Groups  []string  `json:"groups,omitempty"`
	Percent int       `json:"percent"` // 1..100, of the devices in Groups
	Start   time.Time `json:"start"`
}

// Everyone is a one-wave plan: every device, from start.
func Everyone(start time.Time) Rollout {
	return Rollout{Waves: []Wave{{Name: "all", Percent: 100, Start: start.UTC()}}}
}

// Validate checks the plan's shape.
func (r Rollout) Validate() error {
	if len(r.Waves) == 0 || len(r.Waves) > MaxWaves {
		return fmt.Errorf("want 1 to %d waves, got %d", MaxWaves, len(r.Waves))
	}
	if r.Halted && r.HaltReason == "" {
		return errors.New("a halted rollout must say why (halt_reason)")
	}
	names := map[string]bool{}
	for i, w := range r.Waves {
		switch {
		case w.Name == "" || names[w.Name]:
			return fmt.Errorf("waves[%d]: name %q empty or repeated", i, w.Name)
		case w.Percent < 1 || w.Percent > 100:
			return fmt.Errorf("waves[%d] %s: percent %d not in 1..100", i, w.Name, w.Percent)
		case w.Start.IsZero():
			return fmt.Errorf("waves[%d] %s: start is required", i, w.Name)
		case len(w.Groups) > MaxGroupsPerWave:
			return fmt.Errorf("waves[%d] %s: more than %d groups", i, w.Name, MaxGroupsPerWave)
		case i > 0 && w.Start.Before(r.Waves[i-1].Start):
			return fmt.Errorf("waves[%d] %s starts before the wave before it", i, w.Name)
		}
		if slices.Contains(w.Groups, "") {
			return fmt.Errorf("waves[%d] %s: empty group name", i, w.Name)
		}
		names[w.Name] = true
	}
	return nil
}

// ErrNotInWave is returned by Eligible when the device may not install yet.
var ErrNotInWave = errors.New("device is not in a started rollout wave")

// ErrHalted is returned by Eligible when the rollout is halted.
var ErrHalted = errors.New("rollout halted")

// Bucket places a device in 0..9999 for target: the first 8 bytes of
// SHA-256(target path, 0, device id), big-endian, modulo 10000. The same
// device always lands in the same bucket for a release, and devices spread
// evenly; hashing the target path too means the canary devices differ from
// release to release.
func Bucket(targetPath, deviceID string) int {
	h := sha256.New()
	h.Write([]byte(targetPath))
	h.Write([]byte{0})
	h.Write([]byte(deviceID))
	return int(binary.BigEndian.Uint64(h.Sum(nil)[:8]) % 10000)
}

// Eligible says which wave lets the device install target now, or why
// none does (ErrHalted, ErrNotInWave).
func (r Rollout) Eligible(targetPath, deviceID, group string, now time.Time) (string, error) {
	if r.Halted {
		return "", fmt.Errorf("%w: %s", ErrHalted, r.HaltReason)
	}
	b := Bucket(targetPath, deviceID)
	for _, w := range r.Waves {
		if now.Before(w.Start) {
			continue
		}
		if len(w.Groups) > 0 && !slices.Contains(w.Groups, group) {
			continue
		}
		if b < w.Percent*100 {
			return w.Name, nil
		}
	}
	return "", fmt.Errorf("%w: device %s (group %q, bucket %d of 10000) at %s", ErrNotInWave, deviceID, group, b, now.UTC().Format(time.RFC3339))
}
