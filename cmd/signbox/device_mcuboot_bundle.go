package main

import (
	"fmt"
	"os"
	"strings"

	"signbox/device/mcuboot/mcuemu"
	"signbox/device/mcuboot/mcuinstall"
)

// isBundlePath: a release bundle is a directory or a .tar.
func isBundlePath(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir() || strings.HasSuffix(path, ".tar")
}

// runMCUbootInstallBundle installs a release bundle on an MCUboot device:
// the bundle's signature, files, key hash and image first (at the
// device's hardware security counter), then its product and board.
func runMCUbootInstallBundle(e *env, state, path, keyPath string, permanent bool) error {
	if keyPath == "" {
		return usageErr("--release-key is required to install a release bundle")
	}
	pub, err := readPublicKey(keyPath)
	if err != nil {
		return err
	}
	return withMCUboot(e, state, func(d *mcuemu.Device) error {
		res, err := mcuinstall.Install(d, path, pub, permanent)
		if err != nil {
			return err
		}
		m, im := res.Manifest, res.Images[0]
		kind := "test"
		if permanent {
			kind = "permanent"
		}
		fmt.Fprintf(e.stdout, "bundle %s %s verified (manifest sha256:%s): %s image for %s, security counter %d, key hash %s\n",
			m.Product, m.Version, res.ManifestSHA256, m.Family, m.Chip, im.SecureVersion, im.KeyDigest)
		fmt.Fprintf(e.stdout, "installed into the secondary slot as a %s upgrade\n", kind)
		fmt.Fprintln(e.stdout, "reboot (`signbox device boot`) to let the bootloader check and swap it in")
		return nil
	})
}
