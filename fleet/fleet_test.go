package fleet_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"

	"signbox/device/emu"
	"signbox/fleet"
	"signbox/publish"
	"signbox/publish/publishtest"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var sharedTUF *publishtest.TUF

type world struct {
	dst    oras.Target
	tuf    *publishtest.TUF
	dir    string
	layout string
}

// newWorld is an OCI layout holding release 2.0.0 (security version 2)
// published for everyone.
func newWorld(t *testing.T, r publish.Rollout) *world {
	t.Helper()
	dir := t.TempDir()
	return newWorldAt(t, "oci-layout:"+filepath.Join(dir, "layout"), r)
}

// newWorldAt is newWorld at any destination publish.Open takes.
func newWorldAt(t testing.TB, dest string, r publish.Rollout) *world {
	t.Helper()
	if sharedTUF == nil {
		sharedTUF = publishtest.NewTUF(t, publishtest.Token(t), now.Add(365*24*time.Hour))
	}
	w := &world{tuf: sharedTUF, dir: t.TempDir()}
	w.layout = strings.TrimPrefix(dest, "oci-layout:")
	var err error
	if w.dst, err = publish.Open(context.Background(), dest); err != nil {
		t.Fatal(err)
	}
	if err := publish.Init(context.Background(), w.dst, w.tuf.RootJSON); err != nil {
		t.Fatal(err)
	}
	w.publish(t, "2.0.0", 2, r)
	return w
}

func (w *world) publish(t testing.TB, version string, sv uint32, r publish.Rollout) *publish.Result {
	t.Helper()
	res, err := publish.Publish(context.Background(), w.dst, publish.Input{
		BundleDir: publishtest.WriteBundle(t, w.dir, version, sv), ReleaseKey: publishtest.ReleaseKey(),
		Rollout: r, Keys: w.tuf.Keys, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// device is a booted emulated device running 1.0.0, and its fleet config.
type device struct {
	d   *emu.Device
	cfg fleet.Config
}

func newDevice(t testing.TB, w *world, id string) *device {
	t.Helper()
	res, err := emu.Provision(publishtest.DeviceConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Device.Boot(); err != nil {
		t.Fatal(err)
	}
	return &device{d: res.Device, cfg: fleet.Config{Source: w.dst, TrustedRoot: w.tuf.RootJSON,
		CacheDir: filepath.Join(t.TempDir(), "cache"), Now: now, DeviceID: id, Group: "field",
		Product: publishtest.Product, Chip: "esp32c6"}}
}

func (d *device) update(t testing.TB) error {
	t.Helper()
	p, err := fleet.Pull(context.Background(), d.cfg, fleet.Current(d.d))
	if err != nil {
		return err
	}
	_, err = fleet.Install(d.d, p, publishtest.ReleaseKey())
	return err
}

// refused checks err is target and mentions want, and that the device
// still runs 1.0.0 with nothing staged in its inactive slot.
func (d *device) refused(t *testing.T, err, target error, want string) {
	t.Helper()
	if err == nil || target != nil && !errors.Is(err, target) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %v mentioning %q", err, target, want)
	}
	if v := fleet.Current(d.d); v != "1.0.0" {
		t.Fatalf("device runs %s after a refusal", v)
	}
	if s := d.d.Status(); s.Slots[1].App != nil {
		t.Fatalf("inactive slot holds %s after a refusal", s.Slots[1].App.Version)
	}
}

func TestPullInstallConfirm(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	d := newDevice(t, w, "emu-0000000000000001")
	var last, total int64
	d.cfg.Progress = func(done, tot int64) { last, total = done, tot }
	if err := d.update(t); err != nil {
		t.Fatal(err)
	}
	if v := fleet.Current(d.d); v != "2.0.0" {
		t.Fatalf("device runs %q", v)
	}
	if f := d.d.AntiRollbackFloor(); f.Value != 2 {
		t.Fatalf("floor %v after confirm", f)
	}
	if last == 0 || last != total {
		t.Fatalf("progress %d of %d", last, total)
	}
	if err := d.update(t); !errors.Is(err, fleet.ErrUpToDate) {
		t.Fatalf("second pull: %v", err)
	}
}

func TestTamperedBlob(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	d := newDevice(t, w, "emu-0000000000000002")
	desc, err := w.dst.Resolve(context.Background(), publish.BundleTag(publishtest.Product, "2.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := publish.FetchManifest(context.Background(), w.dst, desc)
	if err != nil {
		t.Fatal(err)
	}
	var app ocispec.Descriptor
	for _, l := range m.Layers {
		if l.Annotations[ocispec.AnnotationTitle] == "images/app.bin" {
			app = l
		}
	}
	p := filepath.Join(w.layout, "blobs", "sha256", app.Digest.Encoded())
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	d.refused(t, d.update(t), fleet.ErrContent, "digest")
}

func TestStaleTimestamp(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	d := newDevice(t, w, "emu-0000000000000003")
	d.cfg.Now = now.Add(publish.DefaultTimestampLife + time.Minute)
	d.refused(t, d.update(t), fleet.ErrMetadata, "timestamp.json is expired")
}

// retag points tag at what from names now.
func retag(t *testing.T, dst oras.Target, from ocispec.Descriptor, tag string) {
	t.Helper()
	if err := dst.Tag(context.Background(), from, tag); err != nil {
		t.Fatal(err)
	}
}

func resolve(t testing.TB, dst oras.Target, tag string) ocispec.Descriptor {
	t.Helper()
	d, err := dst.Resolve(context.Background(), tag)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReplayedTimestamp(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	old := resolve(t, w.dst, publish.TimestampTag)
	w.publish(t, "2.1.0", 3, publish.Everyone(now))
	d := newDevice(t, w, "emu-0000000000000004")
	if err := d.update(t); err != nil { // the device has seen timestamp 2
		t.Fatal(err)
	}
	w.publish(t, "2.2.0", 4, publish.Everyone(now))
	retag(t, w.dst, old, publish.TimestampTag)
	_, err := fleet.Pull(context.Background(), d.cfg, fleet.Current(d.d))
	if !errors.Is(err, fleet.ErrMetadata) || !strings.Contains(err.Error(), "timestamp") {
		t.Fatalf("replayed timestamp: %v", err)
	}
}

func TestReplayedSnapshot(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	old := resolve(t, w.dst, "tuf.1.snapshot")
	w.publish(t, "2.1.0", 3, publish.Everyone(now))
	retag(t, w.dst, old, "tuf.2.snapshot") // timestamp 2 names snapshot 2
	d := newDevice(t, w, "emu-0000000000000005")
	d.refused(t, d.update(t), fleet.ErrMetadata, "checking 2.snapshot.json")
}

func TestHaltedWave(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	halt := publish.Everyone(now)
	halt.Halted, halt.HaltReason = true, "confirm failures above 2% in wave all"
	if err := publish.SetRollout(context.Background(), w.dst, publish.TargetPath(publishtest.Product, "2.0.0"), halt, w.tuf.Keys, publish.Lifetimes{}, now); err != nil {
		t.Fatal(err)
	}
	d := newDevice(t, w, "emu-0000000000000006")
	d.refused(t, d.update(t), publish.ErrHalted, "confirm failures above 2%")
}

func TestNotInWave(t *testing.T) {
	w := newWorld(t, publish.Rollout{Waves: []publish.Wave{
		{Name: "canary", Groups: []string{"lab"}, Percent: 100, Start: now},
		{Name: "all", Percent: 100, Start: now.Add(48 * time.Hour)},
	}})
	d := newDevice(t, w, "emu-0000000000000007")
	d.refused(t, d.update(t), publish.ErrNotInWave, `group "field"`)
	d.cfg.Group = "lab"
	if err := d.update(t); err != nil {
		t.Fatalf("lab device in the canary wave: %v", err)
	}
}

// cutSource fails every fetch after the first n: the registry went away.
type cutSource struct {
	oras.ReadOnlyTarget
	n int
}

func (c *cutSource) Fetch(ctx context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
	if c.n == 0 {
		return nil, errors.New("connection refused")
	}
	c.n--
	return c.ReadOnlyTarget.Fetch(ctx, d)
}

func TestSourceStopsMidPull(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	d := newDevice(t, w, "emu-0000000000000008")
	// 3 metadata manifests and 3 metadata layers, the bundle manifest,
	// then 4 layers before the cut.
	d.cfg.Source = &cutSource{ReadOnlyTarget: w.dst, n: 11}
	d.refused(t, d.update(t), nil, "connection refused")
	d.cfg.Source = w.dst
	p, err := fleet.Pull(context.Background(), d.cfg, fleet.Current(d.d))
	if err != nil {
		t.Fatal(err)
	}
	if p.Fetched == 0 || p.Fetched >= p.Bytes {
		t.Fatalf("resumed pull fetched %d of %d bytes, want the cached blobs reused", p.Fetched, p.Bytes)
	}
}

func TestEndlessTimestamp(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, publish.Everyone(now))
	big := make([]byte, 64<<10)
	layer := ocispec.Descriptor{MediaType: publish.TUFLayerType, Digest: digestOf(big), Size: int64(len(big))}
	if err := w.dst.Push(ctx, layer, bytes.NewReader(big)); err != nil {
		t.Fatal(err)
	}
	m, err := oras.PackManifest(ctx, w.dst, oras.PackManifestVersion1_1, publish.TUFArtifactType,
		oras.PackManifestOptions{Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		t.Fatal(err)
	}
	retag(t, w.dst, m, publish.TimestampTag)
	d := newDevice(t, w, "emu-0000000000000009")
	d.refused(t, d.update(t), fleet.ErrMetadata, "more than the 16384 allowed")
}

func digestOf(b []byte) digest.Digest { return digest.FromBytes(b) }

// TestTamperedManifest: the manifest TUF pinned is served with other
// bytes (a registry or mirror that swaps it); the device refuses.
func TestTamperedManifest(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	desc := resolve(t, w.dst, publish.BundleTag(publishtest.Product, "2.0.0"))
	p := filepath.Join(w.layout, "blobs", "sha256", desc.Digest.Encoded())
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("images/app.bin"), []byte("images/app.bim"), 1)
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	d := newDevice(t, w, "emu-000000000000000a")
	d.refused(t, d.update(t), fleet.ErrContent, "digest")
}

// TestNoDowngradeByVersion: a device running a newer version than any
// published one (same security version) is not moved back.
func TestNoDowngradeByVersion(t *testing.T) {
	w := newWorld(t, publish.Everyone(now))
	d := newDevice(t, w, "emu-000000000000000b")
	if _, err := fleet.Pull(context.Background(), d.cfg, "2.0.1"); !errors.Is(err, fleet.ErrUpToDate) || !strings.Contains(err.Error(), "newer than") {
		t.Fatalf("err = %v", err)
	}
}
