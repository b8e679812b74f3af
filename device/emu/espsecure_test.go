package emu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/device/esp"
)

// Images signed by Espressif's own espsecure boot on the emulator, and the
// three-block RSA sector supports revocation the way the chip does.
func TestEspsecureVectorsBootAndRevoke(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "espsecure", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var digests [][32]byte
	for _, k := range []string{"a", "b", "c"} {
		digests = append(digests, [32]byte(read("rsa3072-"+k+".digest.bin")))
	}
	app3 := read("app-sv3.rsa3.signed.bin")
	res, err := Provision(ProvisionConfig{Chip: esp.ESP32C3, Layout: Layout{SlotSize: 0x30000}, Product: "infusion-pump",
		KeyDigests: digests, Bootloader: read("boot-sv1.rsa.signed.bin"), App: app3})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Device
	tr := mustBoot(t, d, 0)
	if tr.App.Version != "2.4.1" || tr.SecureVersion != 3 || !strings.Contains(tr.String(), "RSA-3072-PSS, key slot 0") {
		t.Fatalf("trace:\n%s", tr)
	}
	if _, err := d.Install(AppImage(app3)); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	if _, err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	// The bootloader carries only key a: revoking a would brick the device.
	_, err = d.RevokeKey(0)
	mustIs(t, err, ErrRevokeUnsafe)
	for _, n := range []int{1, 2} {
		if _, err := d.RevokeKey(n); err != nil {
			t.Fatalf("revoke %d: %v", n, err)
		}
	}
	tr = mustBoot(t, d, 1)
	if tr.App.KeySlot != 0 {
		t.Fatalf("app verified with key slot %d", tr.App.KeySlot)
	}
}
