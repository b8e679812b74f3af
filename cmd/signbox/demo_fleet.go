package main

import (
	"context"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"signbox/appliance"
	"signbox/bundle"
	"signbox/demo"
	"signbox/device/emu"
	"signbox/device/esp"
	"signbox/fleet"
	"signbox/hsm"
	"signbox/hsm/softhsm"
	"signbox/internal/atomicfile"
	"signbox/publish"

	"oras.land/oras-go/v2"
)

// The demo's fleet step: the release just exported is published to an
// OCI image layout inside the workspace (the embedded default: no
// registry), and a second emulated device, still on the factory release,
// updates itself from it through the fleet client. The TUF keys live in a
// demo token ("demo-tuf", PIN tuf-pin, as throwaway as the other demo
// PINs); in production root and targets are appliance keys.

const (
	demoTUFLabel = "demo-tuf"
	demoTUFKeys  = "demo"
)

func demoTUFPIN() []byte { return []byte("tuf-pin") }

func demoFleetPaths(d *demo.Demo) (layout, root, dev string) {
	base := filepath.Join(d.Root, "demo")
	return filepath.Join(base, "registry"), filepath.Join(base, "tuf-root.json"), filepath.Join(base, "fleet-device")
}

func demoFleet(e *env, d *demo.Demo) error {
	next := filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.NextVersion))
	if _, err := os.Stat(next); err != nil {
		return nil // no release exported in this run (the TUI was left early)
	}
	pub, err := readPublicKey(d.ReleaseKey())
	if err != nil {
		return err
	}
	layout, rootPath, devDir := demoFleetPaths(d)
	now := e.now().UTC()
	tok, err := demoTUFToken(d)
	if err != nil {
		return err
	}
	defer tok.Close()
	s, err := tufSigners(tok, demoTUFKeys, true)
	if err != nil {
		return err
	}
	root, err := demoRoot(rootPath, s, now)
	if err != nil {
		return err
	}
	ctx := context.Background()
	dst, err := publish.Open(ctx, "oci-layout:"+layout)
	if err != nil {
		return err
	}
	if err := publish.Init(ctx, dst, root); err != nil {
		return err
	}
	res, err := publish.Publish(ctx, dst, publish.Input{BundleDir: next, ReleaseKey: pub, Keys: tufKeys(s), Now: now,
		Rollout: publish.Rollout{Waves: []publish.Wave{
			{Name: "canary", Groups: []string{"lab"}, Percent: 100, Start: now},
			{Name: "early", Groups: []string{"field"}, Percent: 30, Start: now},
			{Name: "all", Percent: 100, Start: now},
		}, HaltConditions: []string{"any canary device fails to confirm"}}})
	if err != nil {
		return fmt.Errorf("fleet: publish: %w", err)
	}
	fmt.Fprintf(e.stdout, "fleet: published %s to oci-layout:%s as %s (%d bytes, TUF targets version %d)\n",
		res.TargetPath, layout, res.Manifest.Digest, res.BundleBytes, res.TargetsVersion)
	return demoFleetDevice(e, d, dst, root, pub, devDir)
}

// demoTUFToken opens the demo's TUF token, making it on first use.
func demoTUFToken(d *demo.Demo) (*hsm.Token, error) {
	dir, err := softhsm.NewDir(d.HSM(), softhsm.WithModule(d.Module))
	if err != nil {
		return nil, err
	}
	uri := hsm.URI{Token: demoTUFLabel, ModulePath: d.Module}.String()
	pin := func() ([]byte, error) { return demoTUFPIN(), nil }
	tok, err := hsm.Open(uri, pin)
	if errors.Is(err, hsm.ErrTokenNotFound) {
		if _, err = dir.InitToken(demoTUFLabel, demoTUFPIN(), []byte("tuf-so-pin")); err != nil {
			return nil, err
		}
		tok, err = hsm.Open(uri, pin)
	}
	return tok, err
}

// demoRoot reads the demo's TUF root, or signs version 1 on first use.
func demoRoot(path string, s map[string]crypto.Signer, now time.Time) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	root, err := publish.NewRoot(publish.RootKeys{Root: s["root"].Public(), Targets: s["targets"].Public(),
		Snapshot: s["snapshot"].Public(), Timestamp: s["timestamp"].Public()}, s["root"], now.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	return root, atomicfile.WriteNew(path, root, 0o644)
}

// demoFleetDevice provisions a device with the factory release (unless
// there is one) and lets it update itself from dst.
func demoFleetDevice(e *env, d *demo.Demo, src oras.ReadOnlyTarget, root []byte, pub crypto.PublicKey, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := provisionFactory(e, d, pub, dir); err != nil {
			return fmt.Errorf("fleet: provision %s: %w", dir, err)
		}
	}
	return withDevice(e, dir, func(dev *emu.Device) error {
		cfg, err := fleetConfig(dev, "", "field")
		if err != nil {
			return err
		}
		cfg.Source, cfg.TrustedRoot, cfg.CacheDir, cfg.Now = src, root, dir+".fleet", e.now().UTC()
		p, err := fleet.Pull(context.Background(), cfg, fleet.Current(dev))
		if errors.Is(err, fleet.ErrUpToDate) {
			fmt.Fprintf(e.stdout, "fleet: device %s is up to date\n", cfg.DeviceID)
			return nil
		}
		if err != nil {
			return fmt.Errorf("fleet: pull: %w", err)
		}
		if _, err := fleet.Install(dev, p, pub); err != nil {
			return fmt.Errorf("fleet: install: %w", err)
		}
		fmt.Fprintf(e.stdout, "fleet: device %s (group field, wave %s) pulled %s (%d bytes), installed and confirmed it; running %s, anti-rollback floor %s\n",
			cfg.DeviceID, p.Wave, p.TargetPath, p.Bytes, fleet.Current(dev), dev.AntiRollbackFloor())
		return nil
	})
}

func provisionFactory(e *env, d *demo.Demo, pub crypto.PublicKey, dir string) error {
	res, err := bundle.Verify(filepath.Join(d.Out(), appliance.BundleName(demo.Product, demo.FactoryVersion)), pub, bundle.VerifyOptions{Product: demo.Product})
	if err != nil {
		return err
	}
	images := map[string][]byte{}
	for _, im := range res.Images {
		images[im.Role] = im.Data
	}
	var digests [][32]byte
	for _, k := range res.Manifest.Keys {
		dg, err := hex.DecodeString(k.EfuseDigest)
		if err != nil || len(dg) != 32 {
			return fmt.Errorf("bundle key %s: bad eFuse digest", k.Path)
		}
		digests = append(digests, [32]byte(dg))
	}
	chip, err := esp.ParseChip(demo.Chip)
	if err != nil {
		return err
	}
	p, err := emu.ProvisionDir(dir, emu.ProvisionConfig{Chip: chip, Layout: emu.DefaultLayout, Product: demo.Product,
		KeyDigests: digests, Bootloader: images["bootloader"], App: images["app"], Now: e.now})
	if err != nil {
		return err
	}
	if _, err := p.Device.Boot(); err != nil {
		return err
	}
	return p.Device.Save()
}
