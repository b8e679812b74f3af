package main

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"oras.land/oras-go/v2"
	"os"
	"strings"
	"time"

	"signbox/airgap/strictjson"
	"signbox/hsm"
	"signbox/internal/atomicfile"
	"signbox/internal/lock"
	"signbox/publish"
)

// The publish commands run on the connected side. Interim key custody:
// the four TUF keys are looked up by label in one token (PREFIX-root,
// PREFIX-targets, PREFIX-snapshot, PREFIX-timestamp). The design puts root
// and targets in the appliance HSM, used only in ceremonies; until the
// release ceremony signs the targets entry, `publish` signs it with the
// targets key it is pointed at.

func init() {
	register(&command{path: "publish root",
		usage:   "--token URI --labels PREFIX --expires YYYY-MM-DD --out FILE [--module PATH] [--pin-fd N | --pin-env NAME]",
		summary: "generate the four TUF keys in a token (or reuse them) and write a signed TUF root (version 1)",
		run:     runPublishRoot})
	register(&command{path: "publish",
		usage:   "--bundle DIR --to oci-layout:PATH|https://REGISTRY/REPO --release-key PUB.pem --root root.json --token URI --labels PREFIX [--rollout FILE] [--module PATH] [--pin-fd N | --pin-env NAME]",
		summary: "push a verified bundle as an OCI artifact with TUF metadata (idempotent, resumable)",
		run:     runPublish})
	register(&command{path: "publish refresh",
		usage:   "--to DEST --token URI --labels PREFIX [--module PATH] [--pin-fd N | --pin-env NAME]",
		summary: "re-sign the TUF timestamp (online key) so devices do not see a frozen repository",
		run:     runPublishRefresh})
	register(&command{path: "publish rollout",
		usage:   "--to DEST --target PRODUCT/VERSION --rollout FILE --token URI --labels PREFIX [--module PATH] [--pin-fd N | --pin-env NAME]",
		summary: "replace a published release's signed rollout plan (advance waves, halt with \"halted\": true)",
		run:     runPublishRollout})
}

var tufRoles = []string{"root", "targets", "snapshot", "timestamp"}

// tufSigners finds (or, with create, makes) the PREFIX-ROLE keys.
func tufSigners(tok *hsm.Token, prefix string, create bool) (map[string]crypto.Signer, error) {
	out := map[string]crypto.Signer{}
	for _, r := range tufRoles {
		label := prefix + "-" + r
		s, err := tok.Signer(label)
		if err != nil && create {
			if _, gerr := tok.GenerateKey(label, hsm.ECDSAP256); gerr != nil {
				return nil, fmt.Errorf("TUF %s key %q: %w", r, label, gerr)
			}
			s, err = tok.Signer(label)
		}
		if err != nil {
			return nil, withHint(fmt.Errorf("TUF %s key %q: %w", r, label, err), "`signbox publish root` generates the TUF keys")
		}
		out[r] = s
	}
	return out, nil
}

func tufKeys(s map[string]crypto.Signer) publish.Keys {
	return publish.Keys{Targets: s["targets"], Snapshot: s["snapshot"], Timestamp: s["timestamp"]}
}

func runPublishRoot(e *env, args []string) error {
	fs := newFlags(e, "publish root")
	tf := addTokenFlags(e, fs, addPINFlags(fs))
	prefix := fs.String("labels", "", "key label `PREFIX`")
	expires := fs.String("expires", "", "root expiry `YYYY-MM-DD`")
	out := fs.String("out", "", "root.json to write (must not exist)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	exp, err := time.Parse(time.DateOnly, *expires)
	if *prefix == "" || *out == "" || err != nil {
		return usageErr("--labels, --out and --expires YYYY-MM-DD are required")
	}
	if !exp.After(e.now()) {
		return usageErr("--expires %s is not in the future", *expires)
	}
	tok, err := tf.open(e)
	if err != nil {
		return err
	}
	defer tok.Close()
	s, err := tufSigners(tok, *prefix, true)
	if err != nil {
		return err
	}
	root, err := publish.NewRoot(publish.RootKeys{Root: s["root"].Public(), Targets: s["targets"].Public(),
		Snapshot: s["snapshot"].Public(), Timestamp: s["timestamp"].Public()}, s["root"], exp)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteNew(*out, root, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "TUF root version 1 written to %s (expires %s); devices ship with it\n", *out, *expires)
	return nil
}

type publishFlags struct {
	to, prefix, rollout *string
	token               *tokenFlags
}

func addPublishFlags(e *env, fs interface {
	String(name, value, usage string) *string
}, pin *pinFlags) *publishFlags {
	return &publishFlags{
		to:      fs.String("to", "", "destination: oci-layout:PATH or https://REGISTRY/REPO"),
		prefix:  fs.String("labels", "", "TUF key label `PREFIX`"),
		rollout: fs.String("rollout", "", "rollout plan `FILE` (JSON); default: every device, now"),
		token:   addTokenFlags(e, fs, pin),
	}
}

// session locks the destination, opens it and the TUF key token, and
// returns the TUF signers; done releases all three.
func (pf *publishFlags) session(ctx context.Context, e *env) (oras.Target, map[string]crypto.Signer, func(), error) {
	unlock, err := lockLayout(*pf.to)
	if err != nil {
		return nil, nil, nil, err
	}
	dst, err := publish.Open(ctx, *pf.to)
	if err != nil {
		unlock()
		return nil, nil, nil, usageErr("%v", err)
	}
	tok, err := pf.token.open(e)
	if err != nil {
		unlock()
		return nil, nil, nil, err
	}
	s, err := tufSigners(tok, *pf.prefix, false)
	if err != nil {
		tok.Close()
		unlock()
		return nil, nil, nil, err
	}
	return dst, s, func() { tok.Close(); unlock() }, nil
}

func readRollout(path string, now time.Time) (publish.Rollout, error) {
	if path == "" {
		return publish.Everyone(now), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return publish.Rollout{}, err
	}
	var r publish.Rollout
	if err := strictjson.Decode(b, &r); err != nil {
		return r, fmt.Errorf("rollout plan %s: %w", path, err)
	}
	return r, r.Validate()
}

// lockLayout takes the lock of an oci-layout destination, so two
// publications into one layout directory never interleave (the second
// fails at once). A registry has no such lock: publish to one from one
// place at a time.
func lockLayout(dest string) (func(), error) {
	p, ok := strings.CutPrefix(dest, "oci-layout:")
	if !ok || p == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return nil, err
	}
	l, err := lock.Acquire(p, "signbox publish")
	if err != nil {
		return nil, err
	}
	return func() { l.Release() }, nil
}

func runPublish(e *env, args []string) error {
	fs := newFlags(e, "publish")
	pf := addPublishFlags(e, fs, addPINFlags(fs))
	dir := fs.String("bundle", "", "bundle `DIR`")
	keyPath := fs.String("release-key", "", "release-bundle public key (PEM) the bundle must verify under")
	rootPath := fs.String("root", "", "TUF root.json (stored in the destination if it holds none)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *dir == "" || *pf.to == "" || *keyPath == "" || *rootPath == "" || *pf.prefix == "" {
		return usageErr("--bundle, --to, --release-key, --root, --token and --labels are required")
	}
	now := e.now().UTC()
	rollout, err := readRollout(*pf.rollout, now)
	if err != nil {
		return usageErr("%v", err)
	}
	pub, err := readPublicKey(*keyPath)
	if err != nil {
		return codedErr{err, 3}
	}
	root, err := os.ReadFile(*rootPath)
	if err != nil {
		return codedErr{err, 3}
	}
	ctx := context.Background()
	dst, s, done, err := pf.session(ctx, e)
	if err != nil {
		return err
	}
	defer done()
	if err := publish.Init(ctx, dst, root); err != nil {
		return err
	}
	p := newProgress(e, "push")
	res, err := publish.Publish(ctx, dst, publish.Input{BundleDir: *dir, ReleaseKey: pub, Rollout: rollout,
		Keys: tufKeys(s), Now: now, Progress: p.update})
	p.done()
	if errors.Is(err, publish.ErrUnverified) {
		return withHint(codedErr{err, 1}, "only a bundle that verifies is published; re-export it from the appliance")
	}
	if err != nil {
		return err
	}
	state := "published"
	if !res.Signed {
		state = "already published (nothing signed; `signbox publish rollout` changes its plan)"
	}
	fmt.Fprintf(e.stdout, "%s %s: %s as %s, %d bytes (%d blobs pushed, %d already there), targets version %d\n",
		res.TargetPath, state, res.Manifest.Digest, res.Tag, res.BundleBytes, res.BlobsPushed, res.BlobsSkipped, res.TargetsVersion)
	return nil
}

func runPublishRollout(e *env, args []string) error {
	fs := newFlags(e, "publish rollout")
	pf := addPublishFlags(e, fs, addPINFlags(fs))
	target := fs.String("target", "", "published release `PRODUCT/VERSION`")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *pf.to == "" || *target == "" || *pf.rollout == "" || *pf.prefix == "" {
		return usageErr("--to, --target, --rollout, --token and --labels are required")
	}
	now := e.now().UTC()
	r, err := readRollout(*pf.rollout, now)
	if err != nil {
		return usageErr("%v", err)
	}
	ctx := context.Background()
	dst, s, done, err := pf.session(ctx, e)
	if err != nil {
		return err
	}
	defer done()
	if err := publish.SetRollout(ctx, dst, *target, r, tufKeys(s), publish.Lifetimes{}, now); err != nil {
		return err
	}
	state := "rollout plan replaced"
	if r.Halted {
		state = "rollout HALTED: " + r.HaltReason
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", *target, state)
	return nil
}

func runPublishRefresh(e *env, args []string) error {
	fs := newFlags(e, "publish refresh")
	pf := addPublishFlags(e, fs, addPINFlags(fs))
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *pf.to == "" || *pf.prefix == "" {
		return usageErr("--to, --token and --labels are required")
	}
	ctx := context.Background()
	dst, s, done, err := pf.session(ctx, e)
	if err != nil {
		return err
	}
	defer done()
	now := e.now().UTC()
	if err := publish.RefreshTimestamp(ctx, dst, s["timestamp"], 0, now); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "timestamp re-signed; valid until %s\n", now.Add(publish.DefaultTimestampLife).Format(time.RFC3339))
	return nil
}
