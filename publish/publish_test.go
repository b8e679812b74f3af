package publish_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"

	"signbox/bundle"
	"signbox/publish"
	"signbox/publish/publishtest"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// sharedTUF holds keys every test may use (tests here are not parallel).
var sharedTUF *publishtest.TUF

// setup makes an initialised OCI layout and the TUF keys.
func setup(t *testing.T) (oras.Target, *publishtest.TUF, string) {
	t.Helper()
	if sharedTUF == nil {
		sharedTUF = publishtest.NewTUF(t, publishtest.Token(t), now.Add(365*24*time.Hour))
	}
	f := sharedTUF
	dir := t.TempDir()
	dst, err := publish.Open(context.Background(), "oci-layout:"+filepath.Join(dir, "layout"))
	if err != nil {
		t.Fatal(err)
	}
	if err := publish.Init(context.Background(), dst, f.RootJSON); err != nil {
		t.Fatal(err)
	}
	return dst, f, dir
}

func input(f *publishtest.TUF, dir string) publish.Input {
	return publish.Input{BundleDir: dir, ReleaseKey: publishtest.ReleaseKey(), Rollout: publish.Everyone(now),
		Keys: f.Keys, Now: now}
}

func TestPublishIdempotent(t *testing.T) {
	ctx := context.Background()
	dst, f, dir := setup(t)
	b := publishtest.WriteBundle(t, dir, "2.0.0", 2)
	var last, total int64
	in := input(f, b)
	in.Progress = func(d, tot int64) { last, total = d, tot }
	r1, err := publish.Publish(ctx, dst, in)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Signed || r1.TargetsVersion != 1 || r1.BlobsPushed == 0 || r1.BlobsSkipped != 0 {
		t.Fatalf("first publish: %+v", r1)
	}
	if last != total || total != r1.BundleBytes {
		t.Fatalf("progress ended at %d of %d, bundle %d bytes", last, total, r1.BundleBytes)
	}
	r2, err := publish.Publish(ctx, dst, input(f, b))
	if err != nil {
		t.Fatal(err)
	}
	if r2.Signed || r2.BlobsPushed != 0 || r2.BlobsSkipped != r1.BlobsPushed || r2.Manifest.Digest != r1.Manifest.Digest || r2.TargetsVersion != 1 {
		t.Fatalf("re-publish was not a no-op: %+v", r2)
	}
	for _, tag := range []string{publish.TimestampTag, "tuf.1.root", "tuf.1.snapshot", "tuf.1.targets", r1.Tag} {
		if _, err := dst.Resolve(ctx, tag); err != nil {
			t.Errorf("tag %s: %v", tag, err)
		}
	}
	r3, err := publish.Publish(ctx, dst, input(f, publishtest.WriteBundle(t, dir, "2.1.0", 3)))
	if err != nil {
		t.Fatal(err)
	}
	if !r3.Signed || r3.TargetsVersion != 2 || r3.BlobsSkipped == 0 {
		t.Fatalf("second release: %+v (shared files should be skipped)", r3)
	}
}

func TestPublishRefusesUnverified(t *testing.T) {
	ctx := context.Background()
	dst, f, dir := setup(t)
	b := publishtest.WriteBundle(t, dir, "2.0.0", 2)
	p := filepath.Join(b, "sbom.cdx.json")
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, []byte(`{"tampered":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := publish.Publish(ctx, dst, input(f, b))
	var ve *bundle.VerifyError
	if !errors.Is(err, publish.ErrUnverified) || !errors.As(err, &ve) {
		t.Fatalf("err = %v, want ErrUnverified wrapping a bundle.VerifyError", err)
	}
	if _, err := dst.Resolve(ctx, publish.BundleTag(publishtest.Product, "2.0.0")); err == nil {
		t.Fatal("a refused bundle was pushed")
	}
	if _, err := dst.Resolve(ctx, publish.TimestampTag); err == nil {
		t.Fatal("a refused bundle got TUF metadata")
	}
}

func TestPublishConflict(t *testing.T) {
	ctx := context.Background()
	dst, f, dir := setup(t)
	if _, err := publish.Publish(ctx, dst, input(f, publishtest.WriteBundle(t, dir, "2.0.0", 2))); err != nil {
		t.Fatal(err)
	}
	// Same product and version, other bytes (another ceremony).
	if err := os.Mkdir(filepath.Join(dir, "again"), 0o755); err != nil {
		t.Fatal(err)
	}
	other := publishtest.WriteBundle(t, filepath.Join(dir, "again"), "2.0.0", 3)
	if _, err := publish.Publish(ctx, dst, input(f, other)); !errors.Is(err, publish.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
}

func TestPublishWrongKey(t *testing.T) {
	ctx := context.Background()
	dst, f, dir := setup(t)
	in := input(f, publishtest.WriteBundle(t, dir, "2.0.0", 2))
	in.Keys.Targets = f.Keys.Snapshot
	_, err := publish.Publish(ctx, dst, in)
	if err == nil || !strings.Contains(err.Error(), "is not a targets key of the TUF root") {
		t.Fatalf("err = %v, want the targets key refused", err)
	}
}

// cutTarget fails every push after the first n, like a network cut.
type cutTarget struct {
	oras.Target
	n int
}

var errCut = errors.New("connection reset")

func (c *cutTarget) Push(ctx context.Context, d ocispec.Descriptor, r io.Reader) error {
	if c.n == 0 {
		return errCut
	}
	c.n--
	return c.Target.Push(ctx, d, r)
}

func TestPublishResumes(t *testing.T) {
	ctx := context.Background()
	dst, f, dir := setup(t)
	b := publishtest.WriteBundle(t, dir, "2.0.0", 2)
	if _, err := publish.Publish(ctx, &cutTarget{Target: dst, n: 3}, input(f, b)); !errors.Is(err, errCut) {
		t.Fatalf("cut publish: %v", err)
	}
	if _, err := dst.Resolve(ctx, publish.TimestampTag); err == nil {
		t.Fatal("a cut publish moved the timestamp")
	}
	r, err := publish.Publish(ctx, dst, input(f, b))
	if err != nil {
		t.Fatal(err)
	}
	if r.BlobsSkipped != 3 || !r.Signed {
		t.Fatalf("resumed publish: %+v, want the 3 blobs pushed before the cut skipped", r)
	}
}

func TestInitRefusesOtherRoot(t *testing.T) {
	dst, _, _ := setup(t)
	g := publishtest.NewTUF(t, publishtest.Token(t), now.Add(time.Hour))
	if err := publish.Init(context.Background(), dst, g.RootJSON); !errors.Is(err, publish.ErrInitialised) {
		t.Fatalf("err = %v", err)
	}
}
