package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"signbox/airgap/envelope"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// A test-only command (compiled into the test binary, never into signbox):
// `signbox testonly device-fixture DIR` writes throwaway ESP32-C6 keys and
// images for the device_*.txtar scripts, so they need nothing from
// outside the repository.
func init() {
	register(&command{path: "testonly device-fixture", usage: "DIR", summary: "test only: device emulator fixtures",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeDeviceFixture(args[0])
		}})
}

type fixtureImage struct {
	name    string
	kind    esp.Kind
	chip    esp.Chip
	size    int
	sv      uint32
	version string
	signers []int
}

func writeDeviceFixture(dir string) error {
	var keys [4]*ecdsa.PrivateKey // 0-2 provisioned, 3 a stranger
	for i := range keys {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		keys[i] = k
		p, err := envelope.MarshalPublicKeyPEM(k.Public())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("k%d.pub.pem", i)), p, 0o600); err != nil {
			return err
		}
		d, _ := esp.KeyDigest(k.Public())
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("k%d.digest.bin", i)), d[:], 0o600); err != nil {
			return err
		}
	}
	if err := writeDeviceBundles(dir, keys[0]); err != nil {
		return err
	}
	images := []fixtureImage{
		{"boot.bin", esp.KindBootloader, esp.ESP32C6, 8 << 10, 0, "", []int{0, 1}},
		{"app-1.0.0.bin", esp.KindApp, esp.ESP32C6, 16 << 10, 1, "1.0.0", []int{0}},
		{"app-2.0.0.bin", esp.KindApp, esp.ESP32C6, 16 << 10, 2, "2.0.0", []int{0}},
		{"app-3.0.0-k1.bin", esp.KindApp, esp.ESP32C6, 16 << 10, 3, "3.0.0", []int{1}},
		{"app-0.9.0.bin", esp.KindApp, esp.ESP32C6, 16 << 10, 0, "0.9.0", []int{0}},
		{"unsigned.bin", esp.KindApp, esp.ESP32C6, 16 << 10, 2, "2.0.0", nil},
		{"wrongkey.bin", esp.KindApp, esp.ESP32C6, 16 << 10, 2, "2.0.0", []int{3}},
		{"wrongchip.bin", esp.KindApp, esp.ESP32H2, 16 << 10, 2, "2.0.0", []int{0}},
		{"big.bin", esp.KindApp, esp.ESP32C6, 70 << 10, 2, "2.0.0", []int{0}},
		{"c5-boot.bin", esp.KindBootloader, esp.ESP32C5, 8 << 10, 0, "", []int{0}},
		{"c5-app-1.0.0.bin", esp.KindApp, esp.ESP32C5, 16 << 10, 1, "1.0.0", []int{0}},
		{"c5-app-12.bin", esp.KindApp, esp.ESP32C5, 16 << 10, 12, "12.0.0", []int{0}},
		{"c2-boot.bin", esp.KindBootloader, esp.ESP32C2, 8 << 10, 0, "", []int{0}},
		{"c2-app-1.0.0.bin", esp.KindApp, esp.ESP32C2, 16 << 10, 1, "1.0.0", []int{0}},
	}
	for _, im := range images {
		b, err := fixtureBuild(im, keys[:])
		if err != nil {
			return fmt.Errorf("%s: %w", im.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, im.name), b, 0o600); err != nil {
			return err
		}
		if im.name == "app-2.0.0.bin" {
			b[0x300] ^= 1
			if err := os.WriteFile(filepath.Join(dir, "tampered.bin"), b, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeDeviceBundles writes release.pub.pem and release bundles whose
// images key 0 signs: pump-2.0.0.bundle for the infusion pump and
// ventilator-2.0.0.bundle for another product.
func writeDeviceBundles(dir string, signing *ecdsa.PrivateKey) error {
	release := newP256()
	if err := writePub(filepath.Join(dir, "release.pub.pem"), release.Public()); err != nil {
		return err
	}
	for _, product := range []string{"infusion-pump", "ventilator"} {
		b, err := productBundle(product, release, signing, "2.0.0", 2)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(product, "infusion-") + "-2.0.0.bundle"
		if err := b.WriteDir(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func fixtureBuild(im fixtureImage, keys []*ecdsa.PrivateKey) ([]byte, error) {
	raw, err := esptest.Build(esptest.Options{Kind: im.kind, Chip: im.chip, Size: im.size,
		SecureVersion: im.sv, Version: im.version, Project: "infusion-pump"})
	if err != nil || len(im.signers) == 0 {
		return raw, err
	}
	var s []crypto.Signer
	for _, i := range im.signers {
		s = append(s, keys[i])
	}
	return esp.Sign(raw, s, rand.Reader)
}
