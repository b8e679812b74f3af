package appliance

import (
	"crypto"
	"errors"
	"fmt"
	"time"

	"signbox/airgap"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/policy"
)

// Imported is a release request that passed every airgap check and sits in
// the workspace's content store. Its ID is the SHA-256 of request.json.
type Imported struct {
	ID      string
	Request *airgap.Request
	// Paths of the stored objects, for the ceremony engine.
	Bootloader, App, SBOM, Manifest string
	// SignedBy is the build key (sha256:<hex> of its SPKI) whose DSSE
	// signature over request.json verified at import; "" when the
	// request came unsigned (the policy pins no build key).
	SignedBy string
}

// ImportRelease verifies release request media under the policy's pinned
// build key and imports it into the content store (once). Nothing on the
// media is read before airgap has verified it; a refusal is logged.
func (a *Appliance) ImportRelease(media string) (*Imported, error) {
	p, err := a.policy()
	if err != nil {
		return nil, err
	}
	imp, err := ImportRequest(a.store, p, media, a.cfg.Now())
	if err != nil {
		if lerr := a.event(audit.ImportRejected, "kind", "release-request", "media", media, "reason", err.Error()); lerr != nil {
			return nil, errors.Join(err, lerr)
		}
		return nil, err
	}
	if err := a.event(audit.ImportAccepted, "kind", "release-request", "request", imp.ID,
		"product", imp.Request.Product, "version", imp.Request.Version); err != nil {
		return nil, err
	}
	return imp, nil
}

// ImportRequest is ImportRelease without the audit log, for the headless
// `signbox ceremony plan --request`.
func ImportRequest(st *airgap.Store, p *policy.Policy, media string, now time.Time) (*Imported, error) {
	keys, err := buildKeys(p)
	if err != nil {
		return nil, err
	}
	if err := airgap.Survey(media, airgap.RequestManifest); err != nil {
		return nil, err
	}
	v, err := airgap.VerifyRequest(media, airgap.VerifyOptions{BuildKeys: keys})
	if err != nil {
		return nil, err
	}
	if _, _, err := st.Import(&v.Verified, now); err != nil && !errors.Is(err, airgap.ErrAlreadyImported) {
		return nil, err
	}
	imp, err := storedRequest(st, v.ManifestSHA256, v.Request)
	if err != nil {
		return nil, err
	}
	imp.SignedBy = v.SignedBy
	return imp, nil
}

// storedRequest resolves a verified request's files in the content store.
func storedRequest(st *airgap.Store, id string, r *airgap.Request) (*Imported, error) {
	bl, okB := r.Image(airgap.RoleBootloader)
	app, okA := r.Image(airgap.RoleApp)
	// An MCUboot board's request carries the app only (airgap.IsBoard).
	if !okA || !okB && !airgap.IsBoard(r.Chip) {
		return nil, ErrIncompleteRequest
	}
	imp := &Imported{
		ID: id, Request: r, App: st.ObjectPath(app.SHA256),
		SBOM: st.ObjectPath(r.SBOM.SHA256), Manifest: st.ObjectPath(id),
	}
	if okB {
		imp.Bootloader = st.ObjectPath(bl.SHA256)
	}
	return imp, nil
}

// imported finds a request imported earlier (by this or an earlier run).
func (a *Appliance) imported(id string) (*Imported, error) {
	r, err := a.store.Request(id)
	if err != nil {
		return nil, fmt.Errorf("release request %s: %w", id, err)
	}
	return storedRequest(a.store, id, r)
}

func buildKeys(p *policy.Policy) ([]crypto.PublicKey, error) {
	if p.Release.BuildKey == "" {
		return nil, nil
	}
	k, err := policy.ParsePublicKeyPEM(p.Release.BuildKey)
	if err != nil {
		return nil, fmt.Errorf("policy release.build_key: %w", err)
	}
	return []crypto.PublicKey{k}, nil
}

// ReleaseInputs turns an imported request into the ceremony's inputs.
func (imp *Imported) ReleaseInputs(date string, gate *ceremony.GateRecord) ceremony.ReleaseInputs {
	r := imp.Request
	return ceremony.ReleaseInputs{
		Date: date, Product: r.Product, Version: r.Version, Chip: r.Chip, SecurityVersion: r.SecurityVersion,
		Bootloader: imp.Bootloader, App: imp.App, SBOM: imp.SBOM, Gate: gate,
		Extra: []ceremony.NamedPath{{Name: "request.json", Path: imp.Manifest}},
	}
}
