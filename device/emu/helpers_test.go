package emu

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"sync"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// Tests run on an ESP32-C6 with ECDSA P-256 keys (fast to generate and
// sign) and 64 KiB slots, so a whole device is 192 KiB and the power-cut
// sweep runs in seconds.
var testLayout = Layout{SlotSize: 0x10000}

const (
	testChip    = esp.ESP32C6
	testProduct = "infusion-pump"
)

var (
	keysOnce sync.Once
	testKeys [4]*ecdsa.PrivateKey // 0-2 are provisioned, 3 is a stranger
)

func keys(t testing.TB) [4]*ecdsa.PrivateKey {
	keysOnce.Do(func() {
		for i := range testKeys {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				panic(err)
			}
			testKeys[i] = k
		}
	})
	return testKeys
}

func digestOf(t testing.TB, k *ecdsa.PrivateKey) [32]byte {
	t.Helper()
	d, err := esp.KeyDigest(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// img describes a test image; signers index testKeys.
type img struct {
	kind    esp.Kind
	chip    esp.Chip
	size    int
	sv      uint32
	version string
	signers []int
}

func build(t testing.TB, o img) []byte {
	t.Helper()
	if o.chip == 0 {
		o.chip = testChip
	}
	if o.size == 0 {
		o.size = 16 << 10
	}
	raw, err := esptest.Build(esptest.Options{Kind: o.kind, Chip: o.chip, Size: o.size,
		SecureVersion: o.sv, Version: o.version, Project: "pump", Seed: uint64(o.sv)})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.signers) == 0 {
		return raw
	}
	ks := keys(t)
	var signers []crypto.Signer
	for _, i := range o.signers {
		signers = append(signers, ks[i])
	}
	out, err := esp.Sign(raw, signers, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func app(t testing.TB, sv uint32, version string, signers ...int) []byte {
	if len(signers) == 0 {
		signers = []int{0}
	}
	return build(t, img{kind: esp.KindApp, sv: sv, version: version, signers: signers})
}

func bootloaderImage(t testing.TB) []byte {
	return build(t, img{kind: esp.KindBootloader, size: 8 << 10, signers: []int{0, 1}})
}

func testConfig(t testing.TB) ProvisionConfig {
	ks := keys(t)
	return ProvisionConfig{
		Chip: testChip, Layout: testLayout, Product: testProduct,
		KeyDigests: [][32]byte{digestOf(t, ks[0]), digestOf(t, ks[1]), digestOf(t, ks[2])},
		Bootloader: bootloaderImage(t),
		App:        app(t, 1, "1.0.0"),
	}
}

// booted returns a provisioned device running app 1.0.0 (secure_version 1).
func booted(t testing.TB) *Device {
	t.Helper()
	res, err := Provision(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	mustBoot(t, res.Device, 0)
	return res.Device
}

func mustBoot(t testing.TB, d *Device, slot int) *BootTrace {
	t.Helper()
	tr, err := d.Boot()
	if err != nil {
		t.Fatalf("boot: %v\n%s", err, tr)
	}
	if tr.Slot != slot {
		t.Fatalf("booted slot %d, want %d\n%s", tr.Slot, slot, tr)
	}
	return tr
}

func mustIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}
