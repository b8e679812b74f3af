package demo

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"signbox/airgap"
	"signbox/appliance"
	"signbox/bundle"
	"signbox/device/mcuboot/mcuemu"
	"signbox/device/profile"
	"signbox/policy"
	"signbox/tui/api"
)

// The demo's second product: a wearable on an nRF52840 that boots through
// MCUboot, signed with its own firmware key in the same appliance HSM,
// through the same ceremony (`signbox demo --headless --product
// wearable`). `signbox demo` without --product stays the ESP32 pump.
const (
	SecondProduct = "wearable"
	SecondBoard   = "nrf52840"
	SecondKey     = "wearable-fw"
	SecondVersion = "1.0.0"
)

// SecondRequest is the media holding the wearable's release request.
func (l Layout) SecondRequest() string {
	return filepath.Join(l.Media(), "request-"+SecondProduct+"-"+SecondVersion)
}

// SecondDevice is the emulated nRF52840's state directory, made at the
// factory from the wearable's first bundle.
func (l Layout) SecondDevice() string { return filepath.Join(l.Root, "demo", "device-"+SecondProduct) }

// secondRequest writes the wearable's request as CI would: the unsigned
// Zephyr build (zephyr.bin, here deterministic filler) and the SBOM; no
// bootloader, which is built with the firmware key and provisioned.
func (d *Demo) secondRequest(o Options) error {
	sb, err := cleanSBOM(d, o)
	if err != nil {
		return err
	}
	app := make([]byte, 48<<10)
	for i := range app {
		app[i] = byte(i*131 + i>>8)
	}
	in := airgap.RequestInput{Product: SecondProduct, Version: SecondVersion, Chip: SecondBoard, SecurityVersion: 1, App: app, SBOM: sb}
	_, err = airgap.WriteRequest(d.SecondRequest(), in, airgap.WriteOptions{})
	return err
}

// HeadlessProduct runs the release ceremony of product headless: the
// pump's next release (Headless) or the wearable's first, which then
// provisions the emulated nRF52840 from the bundle as a factory station
// would and boots it.
func HeadlessProduct(ctx context.Context, eng appliance.Engine, d *Demo, product, date string, w io.Writer) error {
	switch product {
	case "", Product:
		return Headless(ctx, eng, d, date, w)
	case SecondProduct:
	default:
		return fmt.Errorf("demo: no product %q (known: %s, %s)", product, Product, SecondProduct)
	}
	say := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	v, err := eng.A.Workspace().Versions()
	if err != nil {
		return err
	}
	if v.Products[SecondProduct].Version == SecondVersion {
		return fmt.Errorf("%w: %s %s was already released from %s; remove it for a fresh demo", ErrExists, SecondProduct, SecondVersion, d.Root)
	}
	req, err := eng.ImportRequest(ctx, d.SecondRequest())
	if err != nil {
		return fmt.Errorf("import request: %w", err)
	}
	say("imported release request %s %s for %s (security version %d → %d), SBOM %s with %d components",
		req.Product, req.Version, req.Chip, req.SecurityVersionOld, req.SecurityVersionNew, req.SBOM.Format, req.SBOM.Components)
	plan, err := eng.Plan(ctx, api.PlanRequest{Kind: api.KindRelease, RequestID: req.ID, Date: date})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	say("plan %s digest %s", plan.ID, plan.Digest)
	say("  read aloud: %s", strings.Join(plan.Words, " "))
	for _, l := range plan.Lines {
		say("  %s", l)
	}
	for _, name := range []string{"alice", "carol"} {
		q, err := eng.Approve(ctx, plan.ID, name, d.Custodian[name], PIN(name))
		if err != nil {
			return fmt.Errorf("approval by %s: %w", name, err)
		}
		say("approved by %s on their own token: %d of %d", name, q.Have, q.Need)
	}
	out, err := eng.Execute(ctx, plan.ID, nil)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	for _, l := range out.Lines {
		say("signed %s", l)
	}
	checks, err := eng.Verify(ctx, plan.ID)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	for _, c := range checks {
		say("verified: %s", c.Name)
	}
	x, err := eng.Export(ctx, plan.ID, d.Out())
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	say("exported %s (%d files), manifest sha256:%s", x.BundlePath, x.Files, x.BundleDigest)
	say("anyone can check it without a secret:\n  signbox bundle verify %s --release-key %s", x.BundlePath, d.ReleaseKey())
	pub, err := d.ReleasePublicKey(nil)
	if err != nil {
		return err
	}
	tr, err := d.provisionSecond(x.BundlePath, pub)
	if err != nil {
		return fmt.Errorf("factory provisioning of the %s: %w", SecondBoard, err)
	}
	say("factory: emulated %s provisioned from the bundle in %s (bootloader key: the bundle's firmware key)", SecondBoard, d.SecondDevice())
	say("  %s", tr)
	say("  next: signbox device status --state %s", d.SecondDevice())
	return nil
}

// provisionSecond verifies the wearable's bundle, builds the bundle's
// firmware key into the emulated bootloader, flashes the image and boots.
func (d *Demo) provisionSecond(bundlePath string, releaseKey crypto.PublicKey) (*mcuemu.BootTrace, error) {
	res, err := bundle.Verify(bundlePath, releaseKey, bundle.VerifyOptions{Product: SecondProduct})
	if err != nil {
		return nil, err
	}
	m := res.Manifest
	if m.Family != "mcuboot" || len(res.Images) != 1 || len(m.Keys) != 1 {
		return nil, fmt.Errorf("bundle %s is not an MCUboot bundle", bundlePath)
	}
	kb, err := bundleKey(bundlePath, m, m.Keys[0].Path)
	if err != nil {
		return nil, err
	}
	board, err := profile.BoardByName(m.Chip)
	if err != nil {
		return nil, err
	}
	dev, err := mcuemu.Create(d.SecondDevice(), mcuemu.Config{Layout: board.Layout(), Mode: mcuemu.SwapMove,
		Keys: []crypto.PublicKey{kb}, Factory: res.Images[0].Data, Product: m.Product, Board: m.Chip})
	if err != nil {
		return nil, err
	}
	tr, err := dev.Boot()
	if err != nil {
		return nil, err
	}
	return tr, dev.Save(d.SecondDevice())
}

// bundleKey reads a public key of a verified bundle directory again and
// holds it to the manifest's SHA-256 of the file.
func bundleKey(dir string, m *bundle.Manifest, path string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
	if err != nil {
		return nil, err
	}
	f, ok := m.File(path)
	if sum := sha256.Sum256(b); !ok || hex.EncodeToString(sum[:]) != f.SHA256 {
		return nil, fmt.Errorf("%s changed since the bundle was verified", path)
	}
	return policy.ParsePublicKeyPEM(string(b))
}
