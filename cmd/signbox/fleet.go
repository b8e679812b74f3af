package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"signbox/device/emu"
	"signbox/fleet"
	"signbox/publish"
)

func init() {
	register(&command{path: "fleet pull",
		usage:   "--state DIR --from oci-layout:PATH|https://REGISTRY/REPO --root root.json --release-key PUB.pem [--group G] [--device-id ID] [--cache DIR]",
		summary: "update an emulated device from a registry: TUF refresh, rollout check, fetch, install, boot, confirm",
		run:     runFleetPull, locks: lockDevice})
}

func runFleetPull(e *env, args []string) error {
	fs := newFlags(e, "fleet pull")
	state := fs.String("state", "", "device state directory")
	from := fs.String("from", "", "update source: oci-layout:PATH or https://REGISTRY/REPO")
	rootPath := fs.String("root", "", "the TUF root.json the device shipped with")
	keyPath := fs.String("release-key", "", "release-bundle public key (PEM) the device trusts")
	group := fs.String("group", "", "the device's rollout group")
	devID := fs.String("device-id", "", "device id for the rollout bucket (default: the device's serial)")
	cache := fs.String("cache", "", "TUF metadata and blob cache (default: STATE.fleet beside the state directory)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *state == "" || *from == "" || *rootPath == "" || *keyPath == "" {
		return usageErr("--state, --from, --root and --release-key are required")
	}
	root, err := os.ReadFile(*rootPath)
	if err != nil {
		return codedErr{err, 3}
	}
	pub, err := readPublicKey(*keyPath)
	if err != nil {
		return codedErr{err, 3}
	}
	src, err := publish.Open(context.Background(), *from)
	if err != nil {
		return usageErr("%v", err)
	}
	if *cache == "" {
		*cache = filepath.Clean(*state) + ".fleet"
	}
	return withDevice(e, *state, func(d *emu.Device) error {
		cfg, err := fleetConfig(d, *devID, *group)
		if err != nil {
			return err
		}
		cfg.Source, cfg.TrustedRoot, cfg.CacheDir, cfg.Now = src, root, *cache, e.now().UTC()
		p := newProgress(e, "pull")
		cfg.Progress = p.update
		pulled, err := fleet.Pull(context.Background(), cfg, fleet.Current(d))
		p.done()
		if errors.Is(err, fleet.ErrUpToDate) {
			fmt.Fprintf(e.stdout, "up to date: %v\n", err)
			return nil
		}
		if err != nil {
			return fleetHint(err)
		}
		fmt.Fprintf(e.stdout, "pulled %s (wave %s): %d bytes, %d downloaded\n", pulled.TargetPath, pulled.Wave, pulled.Bytes, pulled.Fetched)
		res, err := fleet.Install(d, pulled, pub)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "installed, booted slot %d and confirmed %s; anti-rollback floor %s\n", res.Boot.Slot, fleet.Current(d), d.AntiRollbackFloor())
		return nil
	})
}

// fleetConfig fills in what the device says about itself.
func fleetConfig(d *emu.Device, id, group string) (fleet.Config, error) {
	s := d.Status()
	if id == "" && s.Audit != nil {
		if parts := strings.Split(s.Audit.Origin, "/"); len(parts) == 3 {
			id = parts[1]
		}
	}
	if id == "" {
		return fleet.Config{}, usageErr("the device has no serial (provisioned without an identity): give --device-id")
	}
	chip := strings.ToLower(strings.ReplaceAll(d.Chip().String(), "-", ""))
	return fleet.Config{DeviceID: id, Group: group, Product: s.Nameplate.Product, Chip: chip}, nil
}

// fleetHint says what a refused pull means for the operator; the device
// keeps running what it ran.
func fleetHint(err error) error {
	switch {
	case errors.Is(err, publish.ErrHalted):
		return withHint(err, "the publisher halted this rollout with a signed update; the device keeps its release")
	case errors.Is(err, publish.ErrNotInWave):
		return withHint(err, "this device's wave has not started; pull again later")
	case errors.Is(err, fleet.ErrMetadata):
		return withHint(err, "the update metadata is stale, rolled back or tampered with; the publisher runs `signbox publish refresh`, or check the source")
	case errors.Is(err, fleet.ErrContent):
		return withHint(err, "the registry served bytes the signed metadata does not name; nothing was installed")
	}
	return err
}
