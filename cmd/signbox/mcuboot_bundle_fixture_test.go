package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"time"

	"signbox/bundle"
	"signbox/policy"
)

// `signbox testonly mcuboot-bundles DIR` (test binary only) writes, after
// `testonly mcuboot-images DIR`, release bundles of the product wearable
// on nrf52840 around those images, signed by a throwaway release key:
// release.pub.pem, v2.bundle (v2.bin, counter 2), v3.bundle (v3.bin,
// counter 3), old.bundle (old.bin, counter 1), other-board.bundle (v3.bin
// for nrf9160). The appliance's own export path is exercised in
// ceremony/ and appliance/; here the device side is.
func init() {
	register(&command{path: "testonly mcuboot-bundles", usage: "DIR", summary: "test only: MCUboot release bundles",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeMCUbootBundles(args[0])
		}})
}

func writeMCUbootBundles(dir string) error {
	rk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "release.pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		return err
	}
	kb, err := os.ReadFile(filepath.Join(dir, "key.pub.pem"))
	if err != nil {
		return err
	}
	fw, err := policy.ParsePublicKeyPEM(string(kb))
	if err != nil {
		return err
	}
	for _, b := range []struct {
		name, image, version, board string
		sc                          uint32
	}{
		{"v2.bundle", "v2.bin", "2.0.0", "nrf52840", 2},
		{"v3.bundle", "v3.bin", "3.0.0", "nrf52840", 3},
		{"old.bundle", "old.bin", "1.5.0", "nrf52840", 1},
		{"other-board.bundle", "v3.bin", "3.0.0", "nrf9160", 3},
	} {
		img, err := os.ReadFile(filepath.Join(dir, b.image))
		if err != nil {
			return err
		}
		c := &bundle.Contents{
			Family: "mcuboot", Product: "wearable", Version: b.version, Chip: b.board, SecurityVersion: b.sc,
			CeremonyDate: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), PlanDigest: "sha256:" + string(make64('a')),
			Images: []bundle.ImageInput{{Role: "app", Data: img}},
			Keys:   []bundle.KeyInput{{Name: "wearable-fw", Public: fw}},
			SBOM:   []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`), VEX: []byte(`{}`),
			Transcript: []byte(`{}`), Approvals: []bundle.NamedFile{{Name: "approvals.dsse.json", Data: []byte(`{}`)}},
			Checkpoint: []byte("checkpoint\n"),
		}
		bd, err := bundle.Build(c, crypto.Signer(rk))
		if err != nil {
			return err
		}
		if err := bd.WriteDir(filepath.Join(dir, b.name)); err != nil {
			return err
		}
	}
	return nil
}

func make64(c byte) []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return b
}
