package publish

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"oras.land/oras-go/v2"
)

// RootKeys are the public keys a root lists, one per top-level role.
type RootKeys struct {
	Root, Targets, Snapshot, Timestamp crypto.PublicKey
}

// NewRoot makes version 1 of a TUF root (threshold 1 per role, consistent
// snapshots) listing keys, signed by rootSigner, which must hold
// keys.Root. In the ceremony design this runs in a quorum session with the
// HSM-held root key.
func NewRoot(keys RootKeys, rootSigner crypto.Signer, expires time.Time) ([]byte, error) {
	root := metadata.Root(expires.UTC())
	root.Signed.ConsistentSnapshot = true
	for role, pub := range map[string]crypto.PublicKey{
		metadata.ROOT: keys.Root, metadata.TARGETS: keys.Targets,
		metadata.SNAPSHOT: keys.Snapshot, metadata.TIMESTAMP: keys.Timestamp,
	} {
		k, err := metadata.KeyFromPublicKey(pub)
		if err != nil {
			return nil, fmt.Errorf("%s key: %w", role, err)
		}
		if err := root.Signed.AddKey(k, role); err != nil {
			return nil, fmt.Errorf("%s key: %w", role, err)
		}
	}
	if err := signAs(root, root.Signed.Roles[metadata.ROOT], rootSigner, metadata.ROOT); err != nil {
		return nil, err
	}
	return root.ToBytes(false)
}

// signAs signs md with s after checking that the role lists s's key.
func signAs[T metadata.Roles](md *metadata.Metadata[T], role *metadata.Role, s crypto.Signer, name string) error {
	ts, err := newTUFSigner(s)
	if err != nil {
		return fmt.Errorf("%s key: %w", name, err)
	}
	k, err := metadata.KeyFromPublicKey(s.Public())
	if err != nil {
		return fmt.Errorf("%s key: %w", name, err)
	}
	id, err := k.ID()
	if err != nil {
		return err
	}
	if role == nil || !slices.Contains(role.KeyIDs, id) {
		return fmt.Errorf("%s key %s is not a %s key of the TUF root", name, id, name)
	}
	md.ClearSignatures()
	if _, err := md.Sign(ts); err != nil {
		return fmt.Errorf("sign %s: %w", name, err)
	}
	return nil
}

// ErrInitialised is returned by Init when the destination already holds
// a different root version 1.
var ErrInitialised = errors.New("destination already holds a different TUF root")

// Init stores a self-signed root version 1 in dst. Storing the same root
// again is a no-op.
func Init(ctx context.Context, dst oras.Target, rootJSON []byte) error {
	root, err := (&metadata.Metadata[metadata.RootType]{}).FromBytes(rootJSON)
	if err != nil {
		return fmt.Errorf("root: %w", err)
	}
	if root.Signed.Version != 1 {
		return fmt.Errorf("root: version %d, Init takes version 1", root.Signed.Version)
	}
	if err := root.VerifyDelegate(metadata.ROOT, root); err != nil {
		return fmt.Errorf("root is not signed by its own root key: %w", err)
	}
	have, err := FetchMeta(ctx, dst, metaTag(metadata.ROOT, 1), MaxMetadataBytes)
	switch {
	case err == nil && bytes.Equal(have, rootJSON):
		return nil
	case err == nil:
		return ErrInitialised
	case !errors.Is(err, ErrNoMetadata):
		return err
	}
	return pushMeta(ctx, dst, metaTag(metadata.ROOT, 1), rootJSON)
}
