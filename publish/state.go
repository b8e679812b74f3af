package publish

import (
	"context"
	"errors"
	"fmt"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"oras.land/oras-go/v2"
)

// state is the repository's current TUF metadata as the publisher reads
// it back from the destination, every signature checked against the
// newest root (the publisher never builds on metadata it cannot verify).
type state struct {
	root      *metadata.Metadata[metadata.RootType]
	timestamp *metadata.Metadata[metadata.TimestampType] // nil: nothing published yet
	snapshot  *metadata.Metadata[metadata.SnapshotType]
	targets   *metadata.Metadata[metadata.TargetsType]
}

func loadState(ctx context.Context, src oras.ReadOnlyTarget) (*state, error) {
	root, err := loadRoot(ctx, src)
	if err != nil {
		return nil, err
	}
	st := &state{root: root}
	raw, err := FetchMeta(ctx, src, TimestampTag, MaxMetadataBytes)
	if errors.Is(err, ErrNoMetadata) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if st.timestamp, err = parseVerified[metadata.TimestampType](root, metadata.TIMESTAMP, raw); err != nil {
		return nil, err
	}
	sv := st.timestamp.Signed.Meta["snapshot.json"]
	if sv == nil {
		return nil, errors.New("timestamp names no snapshot")
	}
	if raw, err = FetchMeta(ctx, src, metaTag(metadata.SNAPSHOT, sv.Version), MaxMetadataBytes); err != nil {
		return nil, err
	}
	if st.snapshot, err = parseVerified[metadata.SnapshotType](root, metadata.SNAPSHOT, raw); err != nil {
		return nil, err
	}
	tv := st.snapshot.Signed.Meta["targets.json"]
	if tv == nil {
		return nil, errors.New("snapshot names no targets")
	}
	if raw, err = FetchMeta(ctx, src, metaTag(metadata.TARGETS, tv.Version), MaxMetadataBytes); err != nil {
		return nil, err
	}
	st.targets, err = parseVerified[metadata.TargetsType](root, metadata.TARGETS, raw)
	return st, err
}

// loadRoot follows root versions 1, 2, ... each signed by its predecessor
// and by itself.
func loadRoot(ctx context.Context, src oras.ReadOnlyTarget) (*metadata.Metadata[metadata.RootType], error) {
	var trusted *metadata.Metadata[metadata.RootType]
	for v := int64(1); ; v++ {
		raw, err := FetchMeta(ctx, src, metaTag(metadata.ROOT, v), MaxMetadataBytes)
		if errors.Is(err, ErrNoMetadata) {
			if trusted == nil {
				return nil, errors.New("destination holds no TUF root: run the TUF root ceremony and `signbox publish init` first")
			}
			return trusted, nil
		}
		if err != nil {
			return nil, err
		}
		next, err := (&metadata.Metadata[metadata.RootType]{}).FromBytes(raw)
		if err != nil {
			return nil, fmt.Errorf("root v%d: %w", v, err)
		}
		if next.Signed.Version != v {
			return nil, fmt.Errorf("root tagged v%d says version %d", v, next.Signed.Version)
		}
		signers := []*metadata.Metadata[metadata.RootType]{next}
		if trusted != nil {
			signers = append(signers, trusted)
		}
		for _, s := range signers {
			if err := s.VerifyDelegate(metadata.ROOT, next); err != nil {
				return nil, fmt.Errorf("root v%d: %w", v, err)
			}
		}
		trusted = next
	}
}

func parseVerified[T metadata.Roles](root *metadata.Metadata[metadata.RootType], role string, raw []byte) (*metadata.Metadata[T], error) {
	md, err := (&metadata.Metadata[T]{}).FromBytes(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	if err := root.VerifyDelegate(role, md); err != nil {
		return nil, fmt.Errorf("%s in the destination does not verify under the root: %w", role, err)
	}
	return md, nil
}
