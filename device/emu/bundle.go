package emu

import (
	"crypto"
	"errors"
	"fmt"

	"signbox/bundle"
	"signbox/device/esp"
)

// BundleSource installs from a signed release bundle, the way a fielded
// device's updater would: the bundle's signature, manifest and every file
// are checked first, with the device's own eFuse key digests, revoked slots
// and anti-rollback floor, and only then is the app image handed over.
// releaseKey is the release-bundle key the device was provisioned to trust.
func BundleSource(path string, releaseKey crypto.PublicKey, d *Device) Source {
	return bundleSource{path: path, key: releaseKey, dev: d}
}

type bundleSource struct {
	path string
	key  crypto.PublicKey
	dev  *Device
}

func (b bundleSource) AppImage() ([]byte, error) {
	if b.key == nil {
		return nil, errors.New("no release-bundle key: the device cannot check the bundle signature")
	}
	st := b.dev.Status()
	opts := bundle.VerifyOptions{MinSecurityVersion: uint32(st.SecureVersion)}
	for _, k := range st.Keys {
		if k.Used {
			opts.EfuseDigests[k.Slot] = k.Digest
		}
		opts.Revoked[k.Slot] = k.Revoked
	}
	res, err := bundle.Verify(b.path, b.key, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: bundle %s: %w", ErrSignature, b.path, err)
	}
	if chip, err := esp.ParseChip(res.Manifest.Chip); err != nil || chip != b.dev.Chip() {
		return nil, fmt.Errorf("%w: bundle is for %s, device is %s", ErrWrongChip, res.Manifest.Chip, b.dev.Chip())
	}
	for _, img := range res.Images {
		if img.Role == "app" {
			return img.Data, nil
		}
	}
	return nil, fmt.Errorf("bundle %s carries no app image", b.path)
}
