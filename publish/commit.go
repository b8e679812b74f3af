package publish

import (
	"context"
	"crypto"
	"errors"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"oras.land/oras-go/v2"
)

// Keys are the TUF signers a publication uses. Targets belongs to the
// ceremony side (HSM, quorum); Snapshot and Timestamp are the connected
// side's online keys.
type Keys struct {
	Targets, Snapshot, Timestamp crypto.Signer
}

// Lifetimes of the metadata a publication signs; zero fields take the
// Default values.
type Lifetimes struct {
	Targets, Snapshot, Timestamp time.Duration
}

func (l Lifetimes) withDefaults() Lifetimes {
	if l.Targets == 0 {
		l.Targets = DefaultTargetsLife
	}
	if l.Snapshot == 0 {
		l.Snapshot = DefaultSnapshotLife
	}
	if l.Timestamp == 0 {
		l.Timestamp = DefaultTimestampLife
	}
	return l
}

// commitTargets signs st.targets as the next version and then a new
// snapshot and timestamp over it, and pushes them in that order: the
// timestamp tag moves last, so a cut before it leaves the published state
// as it was (the orphaned versions are overwritten by the next attempt).
func commitTargets(ctx context.Context, dst oras.Target, st *state, keys Keys, life Lifetimes, now time.Time) error {
	life = life.withDefaults()
	t := st.targets
	t.Signed.Version++
	t.Signed.Expires = now.Add(life.Targets).UTC()
	if err := signAs(t, st.root.Signed.Roles[metadata.TARGETS], keys.Targets, metadata.TARGETS); err != nil {
		return err
	}
	raw, err := t.ToBytes(false)
	if err != nil {
		return err
	}
	if err := pushMeta(ctx, dst, metaTag(metadata.TARGETS, t.Signed.Version), raw); err != nil {
		return err
	}
	snap := metadata.Snapshot(now.Add(life.Snapshot).UTC())
	if st.snapshot != nil {
		snap.Signed.Version = st.snapshot.Signed.Version + 1
	}
	snap.Signed.Meta["targets.json"] = metadata.MetaFile(t.Signed.Version)
	if err := signAs(snap, st.root.Signed.Roles[metadata.SNAPSHOT], keys.Snapshot, metadata.SNAPSHOT); err != nil {
		return err
	}
	if raw, err = snap.ToBytes(false); err != nil {
		return err
	}
	if err := pushMeta(ctx, dst, metaTag(metadata.SNAPSHOT, snap.Signed.Version), raw); err != nil {
		return err
	}
	st.snapshot = snap
	return commitTimestamp(ctx, dst, st, keys.Timestamp, life, now)
}

// commitTimestamp signs and pushes the next timestamp over st.snapshot.
func commitTimestamp(ctx context.Context, dst oras.Target, st *state, key crypto.Signer, life Lifetimes, now time.Time) error {
	life = life.withDefaults()
	if st.snapshot == nil {
		return errors.New("nothing published yet: no snapshot to timestamp")
	}
	ts := metadata.Timestamp(now.Add(life.Timestamp).UTC())
	if st.timestamp != nil {
		ts.Signed.Version = st.timestamp.Signed.Version + 1
	}
	ts.Signed.Meta["snapshot.json"] = metadata.MetaFile(st.snapshot.Signed.Version)
	if err := signAs(ts, st.root.Signed.Roles[metadata.TIMESTAMP], key, metadata.TIMESTAMP); err != nil {
		return err
	}
	raw, err := ts.ToBytes(false)
	if err != nil {
		return err
	}
	if err := pushMeta(ctx, dst, metaTag(metadata.TIMESTAMP, ts.Signed.Version), raw); err != nil {
		return err
	}
	st.timestamp = ts
	return pushMeta(ctx, dst, TimestampTag, raw)
}

// RefreshTimestamp re-signs the timestamp over the current snapshot: what
// the connected side runs well within DefaultTimestampLife so that devices
// do not see a frozen repository.
func RefreshTimestamp(ctx context.Context, dst oras.Target, key crypto.Signer, life time.Duration, now time.Time) error {
	st, err := loadState(ctx, dst)
	if err != nil {
		return err
	}
	return commitTimestamp(ctx, dst, st, key, Lifetimes{Timestamp: life}, now)
}
