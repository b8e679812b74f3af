package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"signbox/airgap/envelope"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// A test-only command (compiled into the test binary only):
// `signbox testonly image-fixture DIR` copies the espsecure reference
// vectors kept in device/esp/testdata into DIR, writes each key's eFuse
// digest as hex (KEY.digest.hex), and adds esptest images signed here:
// ecdsa.signed.bin (ESP32-C6, P-256 key "local"), unsigned.bin, and
// legacy-boot.bin, an ESP32-C6 bootloader without esp_bootloader_desc_t
// (ESP-IDF before v5.1) signed with "local".
func init() {
	register(&command{path: "testonly image-fixture", usage: "DIR", summary: "test only: ESP image fixtures",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeImageFixture(args[0])
		}})
}

// vectorDir finds device/esp/testdata/vectors from this source file, since
// script commands run in the script's own work directory.
func vectorDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "device", "esp", "testdata", "vectors")
}

func writeImageFixture(dir string) error {
	src := vectorDir()
	names, err := filepath.Glob(filepath.Join(src, "*.bin"))
	if err != nil || len(names) == 0 {
		return fmt.Errorf("no vectors in %s", src)
	}
	keys, _ := filepath.Glob(filepath.Join(src, "keys", "*.pub.pem"))
	for _, n := range append(names, keys...) {
		b, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if err := writeDigestHex(dir, k); err != nil {
			return err
		}
	}
	return writeLocalFixture(dir)
}

func writeDigestHex(dir, pubPath string) error {
	pub, err := imagePublicKey(pubPath)
	if err != nil {
		return err
	}
	d, err := esp.KeyDigest(pub)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(pubPath), ".pub.pem") + ".digest.hex"
	return os.WriteFile(filepath.Join(dir, name), []byte(hex.EncodeToString(d[:])), 0o644)
}

func writeLocalFixture(dir string) error {
	signer, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	img, err := esptest.Build(esptest.Options{Chip: esp.ESP32C6, Size: 20_000, SecureVersion: 7, Version: "3.1.4", Project: "local"})
	if err != nil {
		return err
	}
	signed, err := esp.Sign(img, []crypto.Signer{signer}, rand.Reader)
	if err != nil {
		return err
	}
	pub, err := envelope.MarshalPublicKeyPEM(signer.Public())
	if err != nil {
		return err
	}
	legacy, err := esptest.Build(esptest.Options{Kind: esp.KindBootloader, NoDescriptor: true, Chip: esp.ESP32C6, Size: 8 << 10})
	if err != nil {
		return err
	}
	legacySigned, err := esp.Sign(legacy, []crypto.Signer{signer}, rand.Reader)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"legacy-boot.bin":  legacySigned,
		"unsigned.bin":     img,
		"ecdsa.signed.bin": signed,
		"local.pub.pem":    pub,
		"not-a-key.pem":    []byte("hello\n"),
		"truncated.bin":    signed[:1000],
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestImageVerifyExitCodes pins the verdict exit codes scripts rely on:
// 0 valid, 1 invalid, 2 usage, 3 could not check.
func TestImageVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	if err := writeImageFixture(dir); err != nil {
		t.Fatal(err)
	}
	f := func(n string) string { return filepath.Join(dir, n) }
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"image", "verify", f("app-sv3.rsa.signed.bin"), "--key", f("rsa3072-a.pub.pem")}, 0},
		{[]string{"image", "verify", f("app-sv3.rsa.signed.bin"), "--key", f("rsa3072-b.pub.pem")}, 1},
		{[]string{"image", "verify", f("app-sv3.rsa.bad-sig.bin"), "--key", f("rsa3072-a.pub.pem")}, 1},
		{[]string{"image", "verify", f("app-sv3.bin"), "--key", f("rsa3072-a.pub.pem")}, 1},
		{[]string{"image", "verify", f("missing.bin"), "--key", f("rsa3072-a.pub.pem")}, 3},
		{[]string{"image", "verify", f("app-sv3.rsa.signed.bin"), "--key", f("not-a-key.pem")}, 3},
		{[]string{"image", "verify", f("app-sv3.rsa.signed.bin")}, 2},
		{[]string{"image", "verify", f("app-sv3.rsa.signed.bin"), "--digest", "00"}, 2},
		{[]string{"image", "info", f("app-sv3.rsa.signed.bin")}, 0},
		{[]string{"image", "info", f("truncated.bin")}, 1},
		{[]string{"image", "info", f("missing.bin")}, 3},
	} {
		var out bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }, now: time.Now}
		if got := run(e, tc.args); got != tc.want {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args[:2], got, tc.want, out.String())
		}
	}
}
