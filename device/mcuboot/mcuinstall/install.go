// Package mcuinstall installs a release bundle on an emulated MCUboot
// device as a fielded update agent would: the bundle's signature and
// every file first (package bundle, which checks the image through
// device/profile at the device's hardware security counter), then the
// bundle's product and board against the device's, then the image into
// the secondary slot. The bootloader checks the signature again at the
// next boot.
package mcuinstall

import (
	"crypto"
	"errors"
	"fmt"

	"signbox/bundle"
	"signbox/device/mcuboot/mcuemu"
	"signbox/policy"
)

// ErrWrongDevice: the bundle is for another product, board or family.
var ErrWrongDevice = errors.New("bundle is not for this device")

// Install verifies the bundle at path with releaseKey and installs its
// image in d as a test upgrade, or a permanent one. It returns the
// verified bundle.
func Install(d *mcuemu.Device, path string, releaseKey crypto.PublicKey, permanent bool) (*bundle.Result, error) {
	if !d.Running() {
		return nil, mcuemu.ErrNotRunning
	}
	res, err := bundle.Verify(path, releaseKey, bundle.VerifyOptions{Product: d.Product(), MinSecurityVersion: d.SecurityCounter()})
	if err != nil {
		return nil, err
	}
	m := res.Manifest
	if m.Family != policy.FamilyMCUboot {
		return nil, fmt.Errorf("%w: a %s bundle; this is an MCUboot device", ErrWrongDevice, familyName(m.Family))
	}
	if d.Board() != "" && m.Chip != d.Board() {
		return nil, fmt.Errorf("%w: built for %s, this device is a %s", ErrWrongDevice, m.Chip, d.Board())
	}
	if len(res.Images) != 1 {
		return nil, fmt.Errorf("%w: %d images", ErrWrongDevice, len(res.Images))
	}
	if err := d.Install(res.Images[0].Data, permanent); err != nil {
		return nil, err
	}
	return res, nil
}

func familyName(f string) string {
	if f == "" {
		return policy.FamilyESP32
	}
	return f
}
