package main

import (
	"crypto"
	"errors"
	"fmt"
	"path/filepath"

	"signbox/airgap"
	"signbox/ceremony"
	"signbox/policy"
)

// releaseFromRequest verifies release request media under the policy's
// pinned build key, imports it into the workspace object store (once) and
// turns it into the ceremony's inputs. Nothing on the media is read before
// airgap has verified it.
func releaseFromRequest(e *env, w *ceremony.Workspace, media, date string) (ceremony.ReleaseInputs, error) {
	pol, err := w.Policy()
	if err != nil {
		return ceremony.ReleaseInputs{}, err
	}
	var keys []crypto.PublicKey
	if pol.Release.BuildKey != "" {
		k, err := policy.ParsePublicKeyPEM(pol.Release.BuildKey)
		if err != nil {
			return ceremony.ReleaseInputs{}, fmt.Errorf("policy release.build_key: %w", err)
		}
		keys = append(keys, k)
	}
	v, err := airgap.VerifyRequest(media, airgap.VerifyOptions{BuildKeys: keys})
	if err != nil {
		return ceremony.ReleaseInputs{}, mediaErr(err)
	}
	st, err := airgap.NewStore(filepath.Join(w.Root(), "objects"), filepath.Join(w.Root(), "imports"))
	if err != nil {
		return ceremony.ReleaseInputs{}, err
	}
	if _, _, err := st.Import(&v.Verified, e.now()); err != nil && !errors.Is(err, airgap.ErrAlreadyImported) {
		return ceremony.ReleaseInputs{}, mediaErr(err)
	}
	r := v.Request
	bl, okB := r.Image("bootloader")
	app, okA := r.Image("app")
	if !okB || !okA {
		return ceremony.ReleaseInputs{}, errors.New("release request needs a bootloader and an app image")
	}
	return ceremony.ReleaseInputs{
		Date: date, Product: r.Product, Version: r.Version, Chip: r.Chip, SecurityVersion: r.SecurityVersion,
		Bootloader: st.ObjectPath(bl.SHA256), App: st.ObjectPath(app.SHA256), SBOM: st.ObjectPath(r.SBOM.SHA256),
		Extra: []ceremony.NamedPath{{Name: "request.json", Path: st.ObjectPath(v.ManifestSHA256)}},
	}, nil
}
