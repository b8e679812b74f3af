package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"signbox/fleet"
	"signbox/publish"
	"signbox/publish/publishtest"
)

// threeWaves: lab devices first, then 30% of the field, then everyone.
func threeWaves() publish.Rollout {
	return publish.Rollout{Waves: []publish.Wave{
		{Name: "canary", Groups: []string{"lab"}, Percent: 100, Start: now.Add(-time.Hour)},
		{Name: "early", Groups: []string{"field"}, Percent: 30, Start: now},
		{Name: "all", Percent: 100, Start: now.Add(12 * time.Hour)},
	}, HaltConditions: []string{"any canary device fails to confirm", "more than 2% of a wave fails to confirm"}}
}

// TestRegistryWaves publishes to a real registry on 127.0.0.1 and lets
// devices in three waves pull and install.
func TestRegistryWaves(t *testing.T) {
	reg := publishtest.StartRegistry(t)
	w := newWorldAt(t, reg.URL("signbox/fleet"), threeWaves())
	w.publish(t, "1.5.0", 1, threeWaves()) // older: never chosen over 2.0.0
	const lab, field = 2, 5
	var devs []*device
	for i := range lab + field {
		d := newDevice(t, w, fmt.Sprintf("emu-%016x", 0x100+i))
		if i < lab {
			d.cfg.Group = "lab"
		}
		devs = append(devs, d)
	}
	installed := func(at time.Time) int {
		n := 0
		for _, d := range devs {
			d.cfg.Now = at
			err := d.update(t)
			switch {
			case err == nil:
			case errors.Is(err, fleet.ErrUpToDate):
			case errors.Is(err, publish.ErrNotInWave):
				if fleet.Current(d.d) != "1.0.0" {
					t.Fatalf("%s refused but runs %s", d.cfg.DeviceID, fleet.Current(d.d))
				}
				continue
			default:
				t.Fatalf("%s: %v", d.cfg.DeviceID, err)
			}
			if v := fleet.Current(d.d); v != "2.0.0" {
				t.Fatalf("%s runs %s", d.cfg.DeviceID, v)
			}
			n++
		}
		return n
	}
	if n := installed(now.Add(-30 * time.Minute)); n != lab {
		t.Fatalf("canary wave: %d devices updated, want the %d lab devices", n, lab)
	}
	early := installed(now.Add(time.Hour))
	if early < lab || early == lab+field {
		t.Fatalf("early wave: %d devices updated, want the lab devices and some of the field", early)
	}
	if err := publish.RefreshTimestamp(context.Background(), w.dst, w.tuf.Keys.Timestamp, 0, now.Add(13*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := installed(now.Add(14 * time.Hour)); n != lab+field {
		t.Fatalf("last wave: %d of %d devices updated", n, lab+field)
	}
}

// TestRegistryFaults: each refused with its reason and nothing installed.
func TestRegistryFaults(t *testing.T) {
	reg := publishtest.StartRegistry(t)

	t.Run("registry stops mid-pull", func(t *testing.T) {
		w := newWorldAt(t, reg.URL("faults/stop"), publish.Everyone(now))
		d := newDevice(t, w, "emu-0000000000000a01")
		d.cfg.Progress = func(done, total int64) {
			if done < total {
				reg.Stop()
			}
		}
		d.refused(t, d.update(t), nil, "connection refused")
		reg.Start()
		src, err := publish.Open(context.Background(), reg.URL("faults/stop"))
		if err != nil {
			t.Fatal(err)
		}
		d.cfg.Source, d.cfg.Progress = src, nil
		if err := d.update(t); err != nil {
			t.Fatalf("after the registry came back: %v", err)
		}
	})

	t.Run("tampered blob", func(t *testing.T) {
		w := newWorldAt(t, reg.URL("faults/tamper"), publish.Everyone(now))
		app := appLayer(t, w)
		p := filepath.Join(reg.Storage(), "docker/registry/v2/blobs/sha256", app.Digest.Encoded()[:2], app.Digest.Encoded(), "data")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 1
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		d := newDevice(t, w, "emu-0000000000000a02")
		d.refused(t, d.update(t), fleet.ErrContent, "digest")
	})

	t.Run("stale timestamp", func(t *testing.T) {
		w := newWorldAt(t, reg.URL("faults/stale"), publish.Everyone(now))
		d := newDevice(t, w, "emu-0000000000000a03")
		d.cfg.Now = now.Add(25 * time.Hour)
		d.refused(t, d.update(t), fleet.ErrMetadata, "timestamp.json is expired")
	})

	t.Run("replayed old snapshot", func(t *testing.T) {
		w := newWorldAt(t, reg.URL("faults/replay"), publish.Everyone(now))
		old := resolve(t, w.dst, "tuf.1.snapshot")
		w.publish(t, "2.1.0", 3, publish.Everyone(now))
		retag(t, w.dst, old, "tuf.2.snapshot")
		d := newDevice(t, w, "emu-0000000000000a04")
		d.refused(t, d.update(t), fleet.ErrMetadata, "checking 2.snapshot.json")
	})

	t.Run("halted wave", func(t *testing.T) {
		w := newWorldAt(t, reg.URL("faults/halt"), threeWaves())
		halt := threeWaves()
		halt.Halted, halt.HaltReason = true, "canary device emu-0000000000000100 did not confirm"
		if err := publish.SetRollout(context.Background(), w.dst, publish.TargetPath(publishtest.Product, "2.0.0"), halt, w.tuf.Keys, publish.Lifetimes{}, now); err != nil {
			t.Fatal(err)
		}
		d := newDevice(t, w, "emu-0000000000000a05")
		d.cfg.Group = "lab"
		d.refused(t, d.update(t), publish.ErrHalted, "did not confirm")
	})
}

func appLayer(t *testing.T, w *world) ocispec.Descriptor {
	t.Helper()
	desc := resolve(t, w.dst, publish.BundleTag(publishtest.Product, "2.0.0"))
	m, _, err := publish.FetchManifest(context.Background(), w.dst, desc)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Layers {
		if l.Annotations[ocispec.AnnotationTitle] == "images/app.bin" {
			return l
		}
	}
	t.Fatal("no app layer")
	return ocispec.Descriptor{}
}
