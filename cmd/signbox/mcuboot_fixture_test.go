package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"signbox/device/mcuboot"
)

// A test-only command (compiled into the test binary only):
// `signbox testonly mcuboot-fixture DIR` copies the signed MCUboot images
// kept in device/mcuboot/testdata/vectors into DIR and derives from
// ed25519.bin: padded.bin (followed by 4 KiB of erased flash, like imgtool
// --pad), tampered.bin (one body byte changed) and truncated.bin (cut
// inside the unprotected TLV area).
func init() {
	register(&command{path: "testonly mcuboot-fixture", usage: "DIR", summary: "test only: MCUboot image fixtures",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeMCUbootFixture(args[0])
		}})
}

// `signbox testonly mcuboot-images DIR` signs throwaway MCUboot images with
// device/mcuboot's testdata Ed25519 key, for the device command tests:
// key.pub.pem, v1.bin (1.0.0, SEC_CNT 1), v2.bin (2.0.0, 2), v3.bin
// (3.0.0, 3), old.bin (1.5.0, SEC_CNT 1: a downgrade once 2.0.0 is
// confirmed) and foreign.bin (2.0.0 by another Ed25519 key).
func init() {
	register(&command{path: "testonly mcuboot-images", usage: "DIR", summary: "test only: signed MCUboot images",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeMCUbootImages(args[0])
		}})
}

func writeMCUbootImages(dir string) error {
	_, file, _, _ := runtime.Caller(0)
	keys := filepath.Join(filepath.Dir(file), "..", "..", "device", "mcuboot", "testdata", "keys")
	load := func(name string) (crypto.Signer, error) {
		b, err := os.ReadFile(filepath.Join(keys, name))
		if err != nil {
			return nil, err
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: no PEM", name)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, err
		}
		return k.(crypto.Signer), nil
	}
	key, err := load("ed25519.pem")
	if err != nil {
		return err
	}
	other, err := load("ed25519-other.pem")
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		return err
	}
	for _, im := range []struct {
		name    string
		k       crypto.Signer
		version string
		sec     uint32
	}{{"v1.bin", key, "1.0.0", 1}, {"v2.bin", key, "2.0.0", 2}, {"v3.bin", key, "3.0.0", 3}, {"old.bin", key, "1.5.0", 1}, {"foreign.bin", other, "2.0.0", 2}} {
		v, err := mcuboot.ParseVersion(im.version)
		if err != nil {
			return err
		}
		body := bytes.Repeat([]byte(im.name), 1500)
		out, err := mcuboot.Sign(body, im.k, mcuboot.SignOptions{HeaderSize: 0x200, PadHeader: true, Version: v, SecurityCounter: &im.sec})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, im.name), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeMCUbootFixture(dir string) error {
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "device", "mcuboot", "testdata", "vectors")
	names, err := filepath.Glob(filepath.Join(src, "*.bin"))
	if err != nil || len(names) == 0 {
		return fmt.Errorf("no vectors in %s", src)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			return err
		}
	}
	ed, err := os.ReadFile(filepath.Join(src, "ed25519.bin"))
	if err != nil {
		return err
	}
	tampered := bytes.Clone(ed)
	tampered[0x300] ^= 1
	derived := map[string][]byte{
		"padded.bin":    append(bytes.Clone(ed), bytes.Repeat([]byte{0xff}, 4096)...),
		"tampered.bin":  tampered,
		"truncated.bin": ed[:len(ed)-10],
	}
	for name, b := range derived {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
