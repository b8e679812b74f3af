package publish

import (
	"context"
	"fmt"
	"time"

	"oras.land/oras-go/v2"
)

// SetRollout replaces the rollout plan of a published target (advance a
// wave, halt, resume) as a new targets version signed by keys.Targets, with
// a new snapshot and timestamp. A halt is SetRollout with Halted set: a
// device obeys it only because it is signed like the release.
func SetRollout(ctx context.Context, dst oras.Target, targetPath string, r Rollout, keys Keys, life Lifetimes, now time.Time) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("rollout plan: %w", err)
	}
	st, err := loadState(ctx, dst)
	if err != nil {
		return err
	}
	if st.targets == nil {
		return fmt.Errorf("target %s is not published", targetPath)
	}
	tf, ok := st.targets.Signed.Targets[targetPath]
	if !ok {
		return fmt.Errorf("target %s is not published", targetPath)
	}
	c, err := ParseCustom(tf.Custom)
	if err != nil {
		return err
	}
	c.Rollout = r
	raw, err := MarshalCustom(c)
	if err != nil {
		return err
	}
	tf.Custom = &raw
	return commitTargets(ctx, dst, st, keys, life, now)
}
