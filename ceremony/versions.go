package ceremony

import (
	"fmt"
	"path/filepath"
)

const versionsFormat = "signbox-versions/v1"

// Versions is the last released security version per product.
type Versions struct {
	Format   string                     `json:"format"`
	Products map[string]ReleasedVersion `json:"products"`
}

// ReleasedVersion records the release that set a product's floor.
type ReleasedVersion struct {
	SecurityVersion uint32 `json:"security_version"`
	Version         string `json:"version"`
	Ceremony        string `json:"ceremony"`
	Date            string `json:"date"`
	PlanDigest      string `json:"plan_digest"`
}

func (w *Workspace) versionsPath() string { return filepath.Join(w.root, "versions.json") }

// Versions reads <root>/versions.json; a missing file means nothing was
// released yet.
func (w *Workspace) Versions() (Versions, error) {
	v := Versions{Format: versionsFormat, Products: map[string]ReleasedVersion{}}
	if _, err := readJSON(w.versionsPath(), &v); err != nil {
		return v, fmt.Errorf("read versions: %w", err)
	}
	if v.Format != versionsFormat {
		return v, fmt.Errorf("versions.json format %q, want %q", v.Format, versionsFormat)
	}
	if v.Products == nil {
		v.Products = map[string]ReleasedVersion{}
	}
	return v, nil
}

// lastSecurityVersion returns the product's floor, nil if never released.
func (w *Workspace) lastSecurityVersion(product string) (*uint32, error) {
	v, err := w.Versions()
	if err != nil {
		return nil, err
	}
	r, ok := v.Products[product]
	if !ok {
		return nil, nil
	}
	sv := r.SecurityVersion
	return &sv, nil
}

// checkSecurityVersion refuses a version below the product's last release.
func (w *Workspace) checkSecurityVersion(product string, next uint32) (*uint32, error) {
	last, err := w.lastSecurityVersion(product)
	if err != nil {
		return nil, err
	}
	if last != nil && next < *last {
		return last, fmt.Errorf("%w: %s was released at security version %d; %d is lower", ErrSecurityVersion, product, *last, next)
	}
	return last, nil
}

func (w *Workspace) recordRelease(product string, r ReleasedVersion) error {
	v, err := w.Versions()
	if err != nil {
		return err
	}
	if old, ok := v.Products[product]; ok && r.SecurityVersion < old.SecurityVersion {
		return fmt.Errorf("%w: %s moved to security version %d meanwhile", ErrSecurityVersion, product, old.SecurityVersion)
	}
	v.Products[product] = r
	return writeJSON(w.versionsPath(), v)
}
