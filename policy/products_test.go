package policy

import (
	"strings"
	"testing"
)

// mixedFleet is the example policy with a second product, an MCUboot
// wearable on an nRF52840 signed by an Ed25519 firmware key.
func mixedFleet(t *testing.T) string {
	t.Helper()
	ex := example(t)
	for _, r := range [][2]string{
		{"    chip: esp32c6\n", "    chip: esp32c6\n  - id: wearable\n    family: mcuboot\n    board: nrf52840\n    key: wearable-fw\n"},
		{"  release_bundle:\n", "  firmware:\n    - label: wearable-fw\n      algorithm: ed25519\n      status: planned\n  release_bundle:\n"},
	} {
		if !strings.Contains(ex, r[0]) {
			t.Fatalf("example does not contain %q", r[0])
		}
		ex = strings.Replace(ex, r[0], r[1], 1)
	}
	return ex
}

func TestMixedFleet(t *testing.T) {
	p, err := Parse([]byte(mixedFleet(t)))
	if err != nil {
		t.Fatal(err)
	}
	esp, mcu := p.Product("infusion-pump"), p.Product("wearable")
	if esp.FamilyName() != FamilyESP32 || esp.Target() != "esp32c6" || mcu.FamilyName() != FamilyMCUboot || mcu.Target() != "nrf52840" {
		t.Fatalf("products %+v %+v", esp, mcu)
	}
	if k := p.FirmwareKey("wearable-fw"); k == nil || k.Algorithm != Ed25519 {
		t.Fatalf("firmware key %+v", k)
	}
	var paths []string
	for _, k := range p.AllKeys() {
		paths = append(paths, k.Path)
	}
	if !strings.Contains(strings.Join(paths, " "), "keys.firmware[0]") {
		t.Fatalf("AllKeys paths %v: the firmware key must be in the inventory (key generation makes it)", paths)
	}
}

// TestMCUbootOnly: a policy with only MCUboot products needs no Secure
// Boot keys; one with an ESP32 product does.
func TestMCUbootOnly(t *testing.T) {
	ex := mixedFleet(t)
	i, j := strings.Index(ex, "  secure_boot:\n"), strings.Index(ex, "  firmware:\n")
	ex = ex[:i] + ex[j:]
	if _, err := Parse([]byte(ex)); err == nil || err.Error() != "keys.secure_boot: at least one Secure Boot key is required" {
		t.Fatalf("esp32 product without Secure Boot keys: %v", err)
	}
	i, j = strings.Index(ex, "  - id: infusion-pump\n"), strings.Index(ex, "  - id: wearable\n")
	ex = ex[:i] + ex[j:]
	if _, err := Parse([]byte(ex)); err != nil {
		t.Fatal(err)
	}
}

func TestProductErrors(t *testing.T) {
	mixed := mixedFleet(t)
	for _, tc := range []struct{ name, old, new, want string }{
		{"unknown family", "family: mcuboot", "family: zephyr-sbsfu", `products[1].family: unknown device family "zephyr-sbsfu" (known: [esp32 mcuboot])`},
		{"unknown board", "board: nrf52840", "board: nrf51822", `products[1].board: mcuboot: unknown chip or board "nrf51822" (known: [nrf52840 nrf5340-app nrf9160])`},
		{"mcuboot with chip", "board: nrf52840", "board: nrf52840\n    chip: esp32c6", "products[1].chip: an mcuboot product names its board, not a chip"},
		{"mcuboot without key", "    key: wearable-fw\n", "", "products[1].key: an mcuboot product names its signing key in keys.firmware"},
		{"key not in firmware", "key: wearable-fw", "key: release-bundle", `products[1].key: no key labelled "release-bundle" in keys.firmware`},
		{"esp with key", "    chip: esp32c6\n", "    chip: esp32c6\n    key: wearable-fw\n", "products[0]: an esp32 product names a chip and is signed with keys.secure_boot; board and key are for mcuboot products"},
		{"firmware algorithm", "label: wearable-fw\n      algorithm: ed25519", "label: wearable-fw\n      algorithm: hmac-sha256", `keys.firmware[0].algorithm: "hmac-sha256" is not allowed here (want one of [rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519])`},
		{"firmware label reused", "- label: wearable-fw", "- label: release-bundle", `keys.release_bundle.label: "release-bundle" is already used by keys.firmware[0]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(mixed, tc.old) {
				t.Fatalf("policy does not contain %q", tc.old)
			}
			_, err := Parse([]byte(strings.Replace(mixed, tc.old, tc.new, 1)))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}
