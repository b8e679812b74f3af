package ceremony

import (
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/bundle"
	"signbox/device/mcuboot/mcuemu"
	"signbox/device/profile"
	"signbox/policy"
)

// mcubootRelease writes an unsigned nRF52840 build and an SBOM and returns
// the release inputs of the wearable product at security counter sc.
func mcubootRelease(t *testing.T, version string, sc uint32) ReleaseInputs {
	t.Helper()
	in := images(t, t.TempDir(), 64<<10)
	raw := make([]byte, 12000)
	for i := range raw {
		raw[i] = byte(i*7 + int(sc))
	}
	if err := os.WriteFile(in.App, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	in.Product, in.Chip, in.Version, in.SecurityVersion, in.Bootloader = "wearable", "nrf52840", version, sc, ""
	return in
}

// TestMCUbootReleaseToDevice is issue 21's mixed fleet end to end: a
// policy with an ESP32 and an MCUboot product; the MCUboot product's
// release ceremony under quorum signs with its firmware key in the HSM;
// the bundle verifies through the profile (key hash, not eFuse digest);
// the emulated nRF52840 installs the bundle's image as a test upgrade,
// boots it, confirms it and raises its hardware counter. A downgrade is
// refused by the ceremony (a lower security counter) and by the device
// (the older release's image, validly signed).
func TestMCUbootReleaseToDevice(t *testing.T) {
	f := newFixture(t)
	f.mcuboot = "ecdsa-p256"
	f.writePolicy(f.ws.policyPath(), 1, nil)
	f.bootstrap()

	// The first release, counter 1: the device's factory image.
	s1, err := f.ws.PlanRelease(mcubootRelease(t, "1.0.0", 1))
	if err != nil {
		t.Fatal(err)
	}
	f.run(s1, "alice", "bob")
	factory, err := os.ReadFile(s1.OutputPath(OutputApp))
	if err != nil {
		t.Fatal(err)
	}

	// An ESP32 product's release is unchanged beside it.
	if err := checkProductRules(mustPolicy(t, f), "pump", "esp32c6", 1); err != nil {
		t.Fatal(err)
	}

	in := mcubootRelease(t, "1.2.0", 2)
	s, err := f.ws.PlanRelease(in)
	if err != nil {
		t.Fatal(err)
	}
	ip := s.Plan().Release.Image
	if ip == nil || ip.Family != "mcuboot" || ip.Board != "nrf52840" || ip.SecurityCounter != 2 || ip.Key != "wearable-fw" || len(ip.KeyHash) != 64 || !strings.HasPrefix(ip.BuiltSHA256, "sha256:") {
		t.Fatalf("plan image %+v", ip)
	}
	if _, err := s.Sign(nil, f.hsm); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("sign before quorum: %v", err)
	}
	f.run(s, "alice", "bob")
	if _, err := os.Stat(s.OutputPath(OutputBootloader)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an MCUboot release wrote a bootloader: %v", err)
	}

	// Downgrade refused by the ceremony.
	if _, err := f.ws.PlanRelease(mcubootRelease(t, "1.1.0", 1)); !errors.Is(err, ErrSecurityVersion) {
		t.Fatalf("plan below the floor: %v", err)
	}

	dir := writeMCUbootBundle(t, f, s, in)
	rk := mustPub(t, f, "release-bundle")
	res, err := bundle.Verify(dir, rk, bundle.VerifyOptions{Product: "wearable", MinSecurityVersion: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.Family != "mcuboot" || len(res.Images) != 1 || res.Images[0].KeyDigest != ip.KeyHash || res.Images[0].SecureVersion != 2 {
		t.Fatalf("bundle: %+v %+v", res.Manifest, res.Images)
	}
	if _, err := bundle.Verify(dir, rk, bundle.VerifyOptions{MinSecurityVersion: 3}); !errors.Is(err, bundle.ErrReplay) {
		t.Fatalf("bundle below a floor of 3: %v", err)
	}

	fw := mustPub(t, f, "wearable-fw")
	board, _ := profile.BoardByName("nrf52840")
	d, err := mcuemu.New(mcuemu.Config{Layout: board.Layout(), Mode: mcuemu.SwapMove, Keys: []crypto.PublicKey{fw}, Factory: factory, Product: "wearable", Board: "nrf52840"})
	if err != nil {
		t.Fatal(err)
	}
	boot := func() *mcuemu.BootTrace {
		t.Helper()
		tr, err := d.Boot()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	if tr := boot(); tr.Counter != 1 {
		t.Fatalf("factory boot: %v", tr)
	}
	if err := d.Install(res.Images[0].Data, false); err != nil {
		t.Fatal(err)
	}
	if tr := boot(); tr.Swap != mcuemu.SwapTest || tr.Version.String() != "1.2.0+0" || tr.Counter != 1 {
		t.Fatalf("test boot: %v", tr)
	}
	if err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	if tr := boot(); tr.Version.String() != "1.2.0+0" || tr.Counter != 2 {
		t.Fatalf("boot after confirm: %v", tr)
	}

	// Downgrade refused by the device: the first release, validly signed.
	if err := d.Install(factory, false); err != nil {
		t.Fatal(err)
	}
	if tr := boot(); tr.Refused == "" || tr.Version.String() != "1.2.0+0" || tr.Counter != 2 {
		t.Fatalf("old image: %v", tr)
	}
}

func mustPolicy(t *testing.T, f *fixture) *policy.Policy {
	t.Helper()
	p, err := f.ws.Policy()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeMCUbootBundle builds the release's bundle as the appliance's
// export does and writes it to a new directory.
func writeMCUbootBundle(t *testing.T, f *fixture, s *Session, in ReleaseInputs) string {
	t.Helper()
	rp := s.Plan().Release
	app, err := os.ReadFile(s.OutputPath(OutputApp))
	if err != nil {
		t.Fatal(err)
	}
	sbom, err := os.ReadFile(in.SBOM)
	if err != nil {
		t.Fatal(err)
	}
	date, _ := ParseDate(s.Plan().Date)
	c := &bundle.Contents{
		Family: rp.Image.Family, Product: rp.Product, Version: rp.Version, Chip: rp.Chip, SecurityVersion: rp.SecurityVersion.New,
		CeremonyDate: date, PlanDigest: s.Digest().String(),
		Images: []bundle.ImageInput{{Role: "app", Data: app}},
		Keys:   []bundle.KeyInput{{Name: rp.Keys[0].Label, Public: mustPub(t, f, rp.Keys[0].Label)}},
		SBOM:   sbom, VEX: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"vulnerabilities":[]}`),
		Transcript: []byte(`{}`), Approvals: []bundle.NamedFile{{Name: "approvals.dsse.json", Data: s.Envelope()}},
		Checkpoint: []byte("checkpoint\n"),
	}
	rk, err := f.hsm.Signer("release-bundle")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(c, rk)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), strings.Join([]string{rp.Product, rp.Version}, "-")+".bundle")
	if err := b.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
