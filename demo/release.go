package demo

import (
	"context"
	"crypto"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"signbox/airgap"
	"signbox/appliance"
	"signbox/bundle"
	"signbox/device/emu"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/tui/api"
)

// factoryRelease signs 1.0.0 through a real release ceremony (alice and
// bob approve) and provisions the emulated device with the bundle's
// images and the Secure Boot key digests, as a factory station would.
func (d *Demo) factoryRelease(o Options) error {
	sb, err := cleanSBOM(d, o)
	if err != nil {
		return err
	}
	media := filepath.Join(d.Media(), "request-"+FactoryVersion)
	if err := writeRequest(media, FactoryVersion, 1, sb, nil); err != nil {
		return err
	}
	a, err := appliance.Open(appliance.Config{Root: d.Root, AuditPIN: func() ([]byte, error) { return OperatorPIN(), nil },
		Operator: "factory", Now: o.Now})
	if err != nil {
		return err
	}
	x, err := d.runRelease(appliance.Engine{A: a}, media, o.Date, []string{"alice", "bob"}, nil)
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	pub, err := d.ReleasePublicKey(nil)
	if err != nil {
		return err
	}
	return d.provision(x.BundlePath, pub, o.Now)
}

// provision burns the bundle's key digests and flashes its images; the
// factory clock starts the device's own audit log.
func (d *Demo) provision(bundlePath string, releaseKey crypto.PublicKey, now func() time.Time) error {
	man, images, err := readBundle(bundlePath, releaseKey)
	if err != nil {
		return err
	}
	var digests [][32]byte
	for _, k := range man.Keys {
		dg, err := hex.DecodeString(k.EfuseDigest)
		if err != nil || len(dg) != 32 {
			return fmt.Errorf("bundle key %s: bad eFuse digest %q", k.Path, k.EfuseDigest)
		}
		digests = append(digests, [32]byte(dg))
	}
	chip, err := esp.ParseChip(Chip)
	if err != nil {
		return err
	}
	res, err := emu.ProvisionDir(d.Device(), emu.ProvisionConfig{Chip: chip, Layout: emu.DefaultLayout, Product: man.Product, KeyDigests: digests,
		Bootloader: images["bootloader"], App: images["app"], Now: now})
	if err != nil {
		return err
	}
	if _, err := res.Device.Boot(); err != nil {
		return err
	}
	return res.Device.Save()
}

// readBundle verifies a bundle the appliance just wrote under its own
// release key, as the factory station would, and returns its manifest and
// the verified images by role.
func readBundle(path string, releaseKey crypto.PublicKey) (*bundle.Manifest, map[string][]byte, error) {
	res, err := bundle.Verify(path, releaseKey, bundle.VerifyOptions{Product: Product})
	if err != nil {
		return nil, nil, err
	}
	images := map[string][]byte{}
	for _, im := range res.Images {
		images[im.Role] = im.Data
	}
	return res.Manifest, images, nil
}

// runRelease drives one release through the Engine, the same calls the
// TUI makes. decide, if set, triages every finding still undecided.
func (d *Demo) runRelease(eng appliance.Engine, media, date string, approvers []string, decide func(api.Finding) api.Decision) (api.Export, error) {
	ctx := context.Background()
	req, err := eng.ImportRequest(ctx, media)
	if err != nil {
		return api.Export{}, err
	}
	if decide != nil {
		t, err := eng.Triage(ctx, req.ID)
		if err != nil {
			return api.Export{}, err
		}
		for _, f := range t.Findings {
			if f.Decision == nil {
				if _, err := eng.Decide(ctx, req.ID, f.ID, decide(f)); err != nil {
					return api.Export{}, err
				}
			}
		}
	}
	plan, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindRelease, RequestID: req.ID, Date: date})
	if err != nil {
		return api.Export{}, err
	}
	for _, name := range approvers {
		if _, err := eng.Approve(ctx, plan.ID, name, d.Custodian[name], PIN(name)); err != nil {
			return api.Export{}, err
		}
	}
	if _, err := eng.Execute(ctx, plan.ID, nil); err != nil {
		return api.Export{}, err
	}
	if _, err := eng.Verify(ctx, plan.ID); err != nil {
		return api.Export{}, err
	}
	return eng.Export(ctx, plan.ID, d.Out())
}

// writeRequest writes release request media the way CI does, through
// airgap.WriteRequest (the writer `signbox request create` uses): unsigned
// images for the demo chip and the SBOM, listed in request.json. The app
// is built with the request's project, version and secure_version, since
// the ceremony signs it as built.
func writeRequest(dir, version string, sv uint32, sbom []byte, clin *airgap.Clinical) error {
	chip, err := esp.ParseChip(Chip)
	if err != nil {
		return err
	}
	bl, err := esptest.Build(esptest.Options{Kind: esp.KindBootloader, Chip: chip, Size: 32 << 10, Project: Product})
	if err != nil {
		return err
	}
	app, err := esptest.Build(esptest.Options{Kind: esp.KindApp, Chip: chip, Size: 256 << 10, Version: version, Project: Product, SecureVersion: sv, Seed: uint64(sv)})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	in := airgap.RequestInput{Product: Product, Version: version, Chip: Chip, SecurityVersion: sv,
		Bootloader: bl, App: app, SBOM: sbom, Clinical: clin}
	_, err = airgap.WriteRequest(dir, in, airgap.WriteOptions{})
	return err
}

// cleanSBOM is the factory release's SBOM: the real SBOM's components
// that have no known vulnerability in the shipped feed (1.0.0 shipped
// with fewer dependencies; 1.1.0 brings in the rest).
func cleanSBOM(d *Demo, o Options) ([]byte, error) {
	full, err := data.ReadFile(sbomFile)
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(d.Media(), ".full-sbom.json")
	if err := os.MkdirAll(d.Media(), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tmp, full, 0o600); err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	pol, err := readPolicy(d.Root)
	if err != nil {
		return nil, err
	}
	t, err := appliance.RunTriage(d.Root, pol, tmp, o.Date)
	if err != nil {
		return nil, err
	}
	vulnerable := map[string]bool{}
	for _, f := range t.Result.Findings {
		vulnerable[f.Component.Ref] = true
	}
	var doc map[string]any
	if err := json.Unmarshal(full, &doc); err != nil {
		return nil, err
	}
	comps, _ := doc["components"].([]any)
	var keep []any
	for _, c := range comps {
		m, _ := c.(map[string]any)
		if ref, _ := m["bom-ref"].(string); !vulnerable[ref] {
			keep = append(keep, c)
		}
	}
	doc["components"] = keep
	delete(doc, "dependencies") // they would dangle without the dropped components
	return json.MarshalIndent(doc, "", "  ")
}

// preTriage records the release manager's decisions for every finding
// of the next release except the first few, which the custodians decide
// in the ceremony.
func (d *Demo) preTriage(o Options) error {
	full, err := data.ReadFile(sbomFile)
	if err != nil {
		return err
	}
	tmp := filepath.Join(d.Media(), ".full-sbom.json")
	if err := os.WriteFile(tmp, full, 0o600); err != nil {
		return err
	}
	defer os.Remove(tmp)
	pol, err := readPolicy(d.Root)
	if err != nil {
		return err
	}
	t, err := appliance.RunTriage(d.Root, pol, tmp, o.Date)
	if err != nil {
		return err
	}
	fs := t.Result.Findings
	sort.Slice(fs, func(i, j int) bool { return fs[i].ID < fs[j].ID })
	for _, f := range fs[min(untriagedInDemo, len(fs)):] {
		dec := PreTriageDecision(f.ID, f.Component.Key(), o.Now())
		if err := t.Decisions.Record(dec); err != nil {
			return err
		}
	}
	return nil
}

// nextRequest writes the 1.1.0 request (security version 2, the full SBOM).
func (d *Demo) nextRequest(o Options) error {
	full, err := data.ReadFile(sbomFile)
	if err != nil {
		return err
	}
	enriched, err := withSupport(full)
	if err != nil {
		return err
	}
	if err := writeRequest(d.Request(), NextVersion, 2, enriched, clinical()); err != nil {
		return err
	}
	return d.secondRequest(o)
}
