package publish

import (
	"context"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/theupdateframework/go-tuf/v2/metadata"
	"oras.land/oras-go/v2"

	"signbox/bundle"
)

// Input is one publication.
type Input struct {
	BundleDir  string           // a bundle directory, as exported by the appliance
	ReleaseKey crypto.PublicKey // the release-bundle key it must verify under
	Rollout    Rollout          // the signed rollout plan
	Keys       Keys
	Life       Lifetimes
	Now        time.Time
	// Progress, if set, is called after each blob is pushed or found
	// present, with the bytes done and the bundle's total.
	Progress func(done, total int64)
}

// Result says what a publication did.
type Result struct {
	TargetPath     string // TUF target path: product/version
	Tag            string
	Manifest       ocispec.Descriptor
	BundleBytes    int64
	BlobsPushed    int
	BlobsSkipped   int   // already in the destination
	TargetsVersion int64 // the targets version that lists the bundle
	Signed         bool  // false: the bundle was already published, nothing signed
}

// ErrUnverified wraps the reason a bundle was refused.
var ErrUnverified = errors.New("bundle does not verify; not published")

// ErrConflict is returned when the target path is already published with
// a different bundle: one release version is published once.
var ErrConflict = errors.New("a different bundle is already published under this product and version")

// TargetPath is the TUF target path of a release.
func TargetPath(product, version string) string { return product + "/" + version }

// Publish verifies the bundle, pushes it to dst as an OCI artifact
// (blobs already present are skipped, so a run cut short resumes) and,
// unless the targets metadata already lists exactly this bundle, signs a
// new targets entry, snapshot and timestamp.
func Publish(ctx context.Context, dst oras.Target, in Input) (*Result, error) {
	if fi, err := os.Stat(in.BundleDir); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s: publish takes a bundle directory", in.BundleDir)
	}
	res, err := bundle.Verify(in.BundleDir, in.ReleaseKey, bundle.VerifyOptions{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnverified, err)
	}
	if err := in.Rollout.Validate(); err != nil {
		return nil, fmt.Errorf("rollout plan: %w", err)
	}
	st, err := loadState(ctx, dst)
	if err != nil {
		return nil, err
	}
	p, err := pack(ctx, in.BundleDir, res)
	if err != nil {
		return nil, err
	}
	m := res.Manifest
	out := &Result{TargetPath: TargetPath(m.Product, m.Version), Tag: BundleTag(m.Product, m.Version),
		Manifest: p.manifest, BundleBytes: p.bytes}
	if err := push(ctx, p, dst, out, in.Progress); err != nil {
		return nil, err
	}
	tf, err := targetFile(p, res, in.Rollout)
	if err != nil {
		return nil, err
	}
	if st.targets == nil {
		st.targets = metadata.Targets(in.Now)
		st.targets.Signed.Version = 0
	}
	if have, ok := st.targets.Signed.Targets[out.TargetPath]; ok {
		if !have.Hashes.Equal(tf.Hashes) || have.Length != tf.Length {
			return nil, fmt.Errorf("%w: %s", ErrConflict, out.TargetPath)
		}
		out.TargetsVersion = st.targets.Signed.Version
		return out, nil // already listed: the plan is changed with SetRollout
	}
	st.targets.Signed.Targets[out.TargetPath] = tf
	if err := commitTargets(ctx, dst, st, in.Keys, in.Life, in.Now); err != nil {
		return nil, err
	}
	out.TargetsVersion, out.Signed = st.targets.Signed.Version, true
	return out, nil
}

// push copies the packed artifact to dst under its tag.
func push(ctx context.Context, p *packed, dst oras.Target, out *Result, progress func(done, total int64)) error {
	var done int64
	opts := oras.DefaultCopyOptions
	opts.Concurrency = 1 // progress in order; bundles are a handful of blobs
	tick := func(d ocispec.Descriptor, skipped bool) {
		if d.MediaType != FileMediaType {
			return
		}
		done += d.Size
		if skipped {
			out.BlobsSkipped++
		} else {
			out.BlobsPushed++
		}
		if progress != nil {
			progress(done, p.bytes)
		}
	}
	opts.PostCopy = func(_ context.Context, d ocispec.Descriptor) error { tick(d, false); return nil }
	opts.OnCopySkipped = func(_ context.Context, d ocispec.Descriptor) error {
		if d.Digest == p.manifest.Digest { // the whole artifact is there
			out.BlobsSkipped, done = p.layers, p.bytes
			if progress != nil {
				progress(done, p.bytes)
			}
		}
		tick(d, true)
		return nil
	}
	if err := p.store.Tag(ctx, p.manifest, out.Tag); err != nil {
		return err
	}
	if _, err := oras.Copy(ctx, p.store, out.Tag, dst, out.Tag, opts); err != nil {
		return fmt.Errorf("push %s: %w", out.Tag, err)
	}
	return nil
}

// targetFile is the TUF entry for the bundle: the OCI manifest's length
// and SHA-256, and the custom block.
func targetFile(p *packed, res *bundle.Result, r Rollout) (*metadata.TargetFiles, error) {
	sum, err := hex.DecodeString(p.manifest.Digest.Encoded())
	if err != nil {
		return nil, err
	}
	m := res.Manifest
	custom, err := MarshalCustom(Custom{Kind: CustomKind, Product: m.Product, Chip: m.Chip, Version: m.Version,
		SecurityVersion: m.SecurityVersion, ManifestSHA256: res.ManifestSHA256, MediaType: p.manifest.MediaType, Rollout: r})
	if err != nil {
		return nil, err
	}
	tf := metadata.TargetFile()
	tf.Length = p.manifest.Size
	tf.Hashes = metadata.Hashes{"sha256": sum}
	tf.Custom = &custom
	return tf, nil
}
