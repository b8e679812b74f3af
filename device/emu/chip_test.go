package emu

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// rsaKey is espsecure's throwaway vector key rsa3072-a (device/esp's
// testdata): ESP32 and ESP32-C3 verify only RSA, and generating a 3072-bit
// key per run is slow.
var rsaKey = sync.OnceValues(func() (crypto.Signer, error) {
	b, err := os.ReadFile("../esp/testdata/vectors/keys/rsa3072-a.pem")
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("rsa3072-a.pem: no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	return k.(crypto.Signer), nil
})

// chipCase is one chip with a key its ROM verifies.
type chipCase struct {
	chip   esp.Chip
	rsa    bool
	rev    uint16
	slots  int
	digest int // bytes of the key digest the eFuse keeps
	secVer int // SECURE_VERSION width
	sbEn   string
}

var chipCases = []chipCase{
	{esp.ESP32, true, 300, 1, 32, 32, "ABS_DONE_1"},
	{esp.ESP32C2, false, 0, 1, 16, 4, "SECURE_BOOT_EN"},
	{esp.ESP32C3, true, 0, 3, 32, 16, "SECURE_BOOT_EN"},
	{esp.ESP32C5, false, 0, 3, 32, 9, "SECURE_BOOT_EN"},
	{esp.ESP32C6, false, 0, 3, 32, 16, "SECURE_BOOT_EN"},
}

func (c chipCase) signer(t testing.TB) crypto.Signer {
	if !c.rsa {
		return keys(t)[0]
	}
	k, err := rsaKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (c chipCase) image(t testing.TB, kind esp.Kind, sv uint32, version string) []byte {
	t.Helper()
	raw, err := esptest.Build(esptest.Options{Kind: kind, Chip: c.chip, UseESP32: c.chip == esp.ESP32,
		Size: 8 << 10, SecureVersion: sv, Version: version, Seed: uint64(sv)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := esp.Sign(raw, []crypto.Signer{c.signer(t)}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (c chipCase) config(t testing.TB) ProvisionConfig {
	d, err := esp.KeyDigest(c.signer(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	return ProvisionConfig{Chip: c.chip, Layout: testLayout, Product: testProduct, ChipRevision: c.rev,
		KeyDigests: [][32]byte{d}, Bootloader: c.image(t, esp.KindBootloader, 0, ""), App: c.image(t, esp.KindApp, 1, "1.0.0")}
}

// TestChipEFuses: each chip's eFuses are its own, not the C3's: key slots
// and how much of the digest they keep, the SECURE_VERSION width, the
// revoke bits and the field names.
func TestChipEFuses(t *testing.T) {
	for _, c := range chipCases {
		t.Run(c.chip.String(), func(t *testing.T) {
			cfg := c.config(t)
			extra := cfg
			extra.KeyDigests = append(extra.KeyDigests, [32]byte{1}, [32]byte{2}, [32]byte{3})[:c.slots+1]
			if _, err := Provision(extra); err == nil || !strings.Contains(err.Error(), "key digest slot") {
				t.Fatalf("%d key digests on a chip with %d slots: %v", c.slots+1, c.slots, err)
			}
			res, err := Provision(cfg)
			if err != nil {
				t.Fatal(err)
			}
			d := res.Device
			mustBoot(t, d, 0)
			stored, _ := d.EFuses().KeyDigest(0)
			want := cfg.KeyDigests[0]
			clear(want[c.digest:])
			if stored != want {
				t.Fatalf("slot 0 holds %x, want the first %d bytes of %x", stored, c.digest, cfg.KeyDigests[0])
			}
			if got := d.EFuses().flagList(SecureBootEn); got != c.sbEn {
				t.Fatalf("secure boot enable is %s, want %s", got, c.sbEn)
			}
			checkSecureVersionWidth(t, c, d)
			checkRevoke(t, c, d)
		})
	}
}

// checkSecureVersionWidth: an app above the field is refused at install;
// the field takes exactly its width and no more.
func checkSecureVersionWidth(t *testing.T, c chipCase, d *Device) {
	t.Helper()
	over := uint32(c.secVer + 1)
	_, err := d.Install(AppImage(c.image(t, esp.KindApp, over, "9.0.0")))
	mustIs(t, err, ErrSecureVersionRange)
	if !strings.Contains(err.Error(), c.chip.String()) {
		t.Errorf("refusal %q does not name the chip", err)
	}
	e := d.Clone().EFuses()
	if err := e.RaiseSecureVersion(c.secVer + 1); err == nil || !strings.Contains(err.Error(), c.chip.String()) {
		t.Fatalf("secure version %d on %s: %v", c.secVer+1, c.chip, err)
	}
	if err := e.RaiseSecureVersion(c.secVer); err != nil || e.SecureVersion() != c.secVer {
		t.Fatalf("secure version %d on %s: %v (reads %d)", c.secVer, c.chip, err, e.SecureVersion())
	}
}

// checkRevoke: ESP32 and ESP32-C2 have one slot and no revoke bits.
func checkRevoke(t *testing.T, c chipCase, d *Device) {
	t.Helper()
	_, err := d.Clone().RevokeKey(c.slots) // one past the last slot
	mustIs(t, err, ErrNoSuchEFuse)
	if c.slots == 1 {
		mustIs(t, d.Clone().EFuses().BurnRevoke(0), ErrNoSuchEFuse)
	}
}

// TestESP32NeedsRevision3: an ESP32 before v3.0 has no Secure Boot V2 in
// ROM, so it is not provisioned for it; v3.0 is.
func TestESP32NeedsRevision3(t *testing.T) {
	c := chipCases[0]
	cfg := c.config(t)
	cfg.ChipRevision = 101
	_, err := Provision(cfg)
	mustIs(t, err, esp.ErrChipRevision)
	if !strings.Contains(err.Error(), "v1.1") || !strings.Contains(err.Error(), "v3.0") {
		t.Fatalf("refusal %q does not name both revisions", err)
	}
	cfg.ChipRevision = 300
	if _, err := Provision(cfg); err != nil {
		t.Fatal(err)
	}
	cfg.SecureDownload = true
	mustIs(t, func() error { _, err := Provision(cfg); return err }(), ErrNoSuchEFuse)
}

// TestPreV51BootloaderBoots: the ROM does not read descriptors, so a
// signed bootloader built before ESP-IDF v5.1 provisions and boots; as an
// app it is refused (no esp_app_desc_t).
func TestPreV51BootloaderBoots(t *testing.T) {
	raw, err := esptest.Build(esptest.Options{Kind: esp.KindBootloader, NoDescriptor: true, Chip: testChip, Size: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := esp.Sign(raw, []crypto.Signer{keys(t)[0]}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Bootloader = legacy
	res, err := Provision(cfg)
	if err != nil {
		t.Fatalf("pre-v5.1 bootloader refused: %v", err)
	}
	tr := mustBoot(t, res.Device, 0)
	if !strings.Contains(tr.String(), "bootloader verified") {
		t.Fatalf("trace:\n%s", tr)
	}
	if s := res.Device.Status().Bootloader; !strings.Contains(s, "secure_version 0") {
		t.Fatalf("status bootloader: %s", s)
	}
	_, err = res.Device.Install(AppImage(legacy))
	mustIs(t, err, ErrWrongKind)
}
