package emu

import (
	"crypto"
	"errors"
	"fmt"

	"signbox/bundle"
)

// BundleSource installs from a signed release bundle, the way a fielded
// device's updater would, in this order: the bundle's signature, manifest
// and every file are checked first, images against the device's own
// eFuse key digests and revoked slots; then the manifest must name the
// device's product and chip; then its security version must not be below
// the device's anti-rollback floor. Only then is the app image handed
// over. releaseKey is the release-bundle key the device was provisioned
// to trust.
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
	var opts bundle.VerifyOptions
	for i := range KeySlots {
		if dg, used := b.dev.efuse.KeyDigest(i); used {
			opts.EfuseDigests[i] = dg
		}
		opts.Revoked[i] = b.dev.efuse.Revoked(i)
	}
	res, err := bundle.Verify(b.path, b.key, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: bundle %s: %w", ErrSignature, b.path, err)
	}
	m := res.Manifest
	if err := b.dev.checkProduct(m.Product, m.Chip); err != nil {
		return nil, fmt.Errorf("bundle %s: %w", b.path, err)
	}
	if f := b.dev.AntiRollbackFloor(); int(m.SecurityVersion) < f.Value {
		return nil, fmt.Errorf("%w: bundle %s has security version %d, the device's floor is %s", ErrDowngrade, b.path, m.SecurityVersion, f)
	}
	for _, img := range res.Images {
		if img.Role == "app" {
			return img.Data, nil
		}
	}
	return nil, fmt.Errorf("bundle %s carries no app image", b.path)
}
