package emu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"signbox/audit"
	"signbox/bundle"
	"signbox/device/esp"
)

// release is a signed release bundle for the tests: product, chip as the
// manifest spells it, app secure version and version string.
type release struct {
	product, chip string
	sv            uint32
	version       string
}

var releaseKey = func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

// writeBundle builds r as a bundle directory under t.TempDir, its images
// signed with provisioned key 0, and returns its path.
func writeBundle(t testing.TB, r release) string {
	t.Helper()
	chip, err := esp.ParseChip(r.chip)
	if err != nil {
		t.Fatal(err)
	}
	boot := build(t, img{kind: esp.KindBootloader, chip: chip, size: 8 << 10, signers: []int{0}})
	appImg := build(t, img{kind: esp.KindApp, chip: chip, sv: r.sv, version: r.version, signers: []int{0}})
	b, err := bundle.Build(&bundle.Contents{
		Product: r.product, Version: r.version, Chip: r.chip, SecurityVersion: r.sv,
		CeremonyDate: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
		PlanDigest:   "sha256:" + hex.EncodeToString(make([]byte, 32)),
		Images:       []bundle.ImageInput{{Role: "bootloader", Data: boot}, {Role: "app", Data: appImg}},
		Keys:         []bundle.KeyInput{{Name: "release-signing-0", Public: keys(t)[0].Public(), Slot: 0}},
		SBOM:         []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`),
		VEX:          []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[]}`),
		Transcript:   []byte(`{"kind":"release"}`),
		Approvals:    []bundle.NamedFile{{Name: "alice.dsse.json", Data: []byte(`{}`)}},
		Checkpoint:   []byte("signbox/audit\n1\nAAAA\n"),
	}, releaseKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), r.product+"-"+r.version+".bundle")
	if err := b.WriteDir(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func installBundle(path string) func(d *Device) error {
	return func(d *Device) error {
		_, err := d.Install(BundleSource(path, releaseKey.Public(), d))
		return err
	}
}

// TestInstallRefusesBundleForAnotherProduct: a bundle signed with the
// trusted release key and images signed with a provisioned key, but made
// for the ventilator, is refused by name on the infusion pump, and the
// device's own audit log says so. The same bundle for the pump installs.
func TestInstallRefusesBundleForAnotherProduct(t *testing.T) {
	now := testClock()
	dir := provisionLogged(t, now)
	mustCmd(t, dir, now, func(d *Device) error { _, err := d.Boot(); return err })

	vent := writeBundle(t, release{"ventilator", "esp32c6", 2, "2.0.0"})
	err := cmd(t, dir, now, installBundle(vent))
	mustIs(t, err, ErrWrongProduct)
	for _, want := range []string{`"ventilator"`, `"infusion-pump"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not name %s", err, want)
		}
	}
	es := deviceEntries(t, filepath.Join(dir, auditDirName))
	last := es[len(es)-1]
	if last.Type != audit.UpdateRejected || !strings.Contains(field(t, last, "reason"), `product "ventilator"`) {
		t.Fatalf("device log ends with %v %q, want UPDATE_REJECTED naming the ventilator", last.Type, last.Payload)
	}

	wrongChip := writeBundle(t, release{"infusion-pump", "esp32h2", 2, "2.0.0"})
	mustIs(t, cmd(t, dir, now, installBundle(wrongChip)), ErrWrongChip)

	pump := writeBundle(t, release{"infusion-pump", "esp32c6", 2, "2.0.0"})
	mustCmd(t, dir, now, installBundle(pump))
}

// TestNameplateRecordedAtProvisioning: the product is required, kept in
// the state directory, and a device without one refuses every bundle.
func TestNameplateRecordedAtProvisioning(t *testing.T) {
	cfg := testConfig(t)
	cfg.Product = ""
	if _, err := Provision(cfg); err == nil || !strings.Contains(err.Error(), "product") {
		t.Fatalf("provisioning without a product: %v", err)
	}
	cfg.Product, cfg.HardwareRevision, cfg.ChipRevision = "Pump", "B", 1
	if _, err := Provision(cfg); err == nil {
		t.Fatal("product id with upper case accepted")
	}

	dir := provisionLogged(t, testClock())
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Nameplate(); got.Product != testProduct {
		t.Fatalf("reopened nameplate %+v", got)
	}
	if !strings.Contains(d.Status().String(), "product:          infusion-pump") {
		t.Fatalf("status does not show the product:\n%s", d.Status())
	}

	if err := os.Remove(filepath.Join(dir, nameplateFile)); err != nil {
		t.Fatal(err)
	}
	pump := writeBundle(t, release{"infusion-pump", "esp32c6", 2, "2.0.0"})
	mustCmd(t, dir, nil, func(d *Device) error { _, err := d.Boot(); return err })
	mustIs(t, cmd(t, dir, nil, installBundle(pump)), ErrNoProduct)
}
