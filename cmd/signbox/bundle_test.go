package main

import (
	"archive/tar"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"signbox/airgap"
	"signbox/airgap/envelope"
	"signbox/bundle"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// A test-only command (compiled into the test binary, never into signbox):
// `signbox testonly bundle-fixture DIR` writes throwaway keys, bundles,
// release requests and a feed snapshot for the bundle_*.txtar and
// airgap_*.txtar scripts.
func init() {
	register(&command{path: "testonly bundle-fixture", usage: "DIR", summary: "test only: bundle and airgap fixtures",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeBundleFixture(args[0])
		}})
}

func newP256() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func writePub(path string, pub crypto.PublicKey) error {
	b, err := envelope.MarshalPublicKeyPEM(pub)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func writeBundleFixture(dir string) error {
	release, other, signing, stranger := newP256(), newP256(), newP256(), newP256()
	for name, k := range map[string]*ecdsa.PrivateKey{"release": release, "other": other} {
		if err := writePub(filepath.Join(dir, name+".pub.pem"), k.Public()); err != nil {
			return err
		}
	}
	for name, k := range map[string]*ecdsa.PrivateKey{"efuse-ok": signing, "efuse-stranger": stranger} {
		d, err := esp.KeyDigest(k.Public())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(hex.EncodeToString(d[:])), 0o644); err != nil {
			return err
		}
	}
	good, err := fixtureBundle(release, signing, "2.5.0", 4)
	if err != nil {
		return err
	}
	old, err := fixtureBundle(release, signing, "2.4.1", 3)
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return good.WriteTar(filepath.Join(dir, "good.tar")) },
		func() error { return good.WriteDir(filepath.Join(dir, "good")) },
		func() error { return good.WriteDir(filepath.Join(dir, "flipped")) },
		func() error { return flipByte(filepath.Join(dir, "flipped", "images", "app.bin")) },
		func() error { return old.WriteTar(filepath.Join(dir, "old.tar")) },
		func() error { return writeRequestFixtures(dir) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func fixtureBundle(release, signing *ecdsa.PrivateKey, version string, sv uint32) (*bundle.Bundle, error) {
	return productBundle("infusion-pump", release, signing, version, sv)
}

// productBundle is a bundle for product on an ESP32-C6, images signed by
// signing, the manifest by release.
func productBundle(product string, release, signing *ecdsa.PrivateKey, version string, sv uint32) (*bundle.Bundle, error) {
	var imgs []bundle.ImageInput
	for _, o := range []esptest.Options{
		{Kind: esp.KindBootloader, Chip: esp.ESP32C6, Size: 2048, SecureVersion: 1},
		{Chip: esp.ESP32C6, Size: 4096, SecureVersion: sv, Version: version, Project: "infusion-pump"},
	} {
		raw, err := esptest.Build(o)
		if err != nil {
			return nil, err
		}
		signed, err := esp.Sign(raw, []crypto.Signer{signing}, rand.Reader)
		if err != nil {
			return nil, err
		}
		role := "app"
		if o.Kind == esp.KindBootloader {
			role = "bootloader"
		}
		imgs = append(imgs, bundle.ImageInput{Role: role, Data: signed})
	}
	return bundle.Build(&bundle.Contents{
		Product: product, Version: version, Chip: "esp32c6", SecurityVersion: sv,
		CeremonyDate: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
		PlanDigest:   "sha256:" + hex.EncodeToString(make([]byte, 32)),
		Images:       imgs,
		Keys:         []bundle.KeyInput{{Name: "release-signing-0", Public: signing.Public(), Slot: 0}},
		SBOM:         []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`),
		VEX:          []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[]}`),
		Transcript:   []byte(`{"kind":"release"}`),
		Approvals:    []bundle.NamedFile{{Name: "alice.dsse.json", Data: []byte(`{}`)}},
		Checkpoint:   []byte("signbox/audit\n1\nAAAA\n"),
	}, release)
}

func flipByte(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	b[len(b)/2] ^= 1
	if err := os.Chmod(path, 0o644); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// writeRequestFixtures writes request/ (unsigned), signed-request/ with
// build.pub.pem, evil.tar (path traversal), and feed/.
func writeRequestFixtures(dir string) error {
	app, err := esptest.Build(esptest.Options{Size: 4096, SecureVersion: 4, Version: "2.5.0", Project: "infusion-pump"})
	if err != nil {
		return err
	}
	boot := esptest.Bootloader(2048, 1)
	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`)
	req := airgap.Request{Kind: airgap.KindRequest, Product: "infusion-pump", Version: "2.5.0", Chip: "esp32c3", SecurityVersion: 4,
		Images: []airgap.Image{
			{Role: "bootloader", FileRef: airgap.FileRef{Path: "bootloader.bin", SHA256: hexSum(boot), Size: int64(len(boot))}},
			{Role: "app", FileRef: airgap.FileRef{Path: "app.bin", SHA256: hexSum(app), Size: int64(len(app))}},
		},
		SBOM: airgap.FileRef{Path: "sbom.cdx.json", SHA256: hexSum(sbom), Size: int64(len(sbom))},
	}
	raw, err := json.MarshalIndent(req, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{"request.json": raw, "app.bin": app, "bootloader.bin": boot, "sbom.cdx.json": sbom}
	build := newP256()
	env, err := envelope.Sign(build, airgap.PayloadTypeRequest, raw)
	if err != nil {
		return err
	}
	if err := writePub(filepath.Join(dir, "build.pub.pem"), build.Public()); err != nil {
		return err
	}
	for _, sub := range []string{"request", "signed-request"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, sub, name), b, 0o644); err != nil {
				return err
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "signed-request", "request.dsse.json"), env, 0o644); err != nil {
		return err
	}
	if err := writeEvilTar(filepath.Join(dir, "evil.tar"), files); err != nil {
		return err
	}
	return writeFeedFixture(filepath.Join(dir, "feed"))
}

func writeEvilTar(path string, files map[string][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	files["../../etc/cron.d/evil"] = []byte("* * * * * root sh\n")
	for _, name := range []string{"request.json", "app.bin", "bootloader.bin", "sbom.cdx.json", "../../etc/cron.d/evil"} {
		b := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(len(b)), Mode: 0o644}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	return tw.Close()
}

func writeFeedFixture(dir string) error {
	zip := []byte("PK\x05\x06" + string(make([]byte, 18))) // an empty zip archive
	feed := airgap.Feed{Kind: airgap.KindFeed, Source: "https://osv-vulnerabilities.storage.googleapis.com", Snapshot: "2026-11-20T06:00:00Z",
		Files: []airgap.FeedFile{{Ecosystem: "Go", FileRef: airgap.FileRef{Path: "Go/all.zip", SHA256: hexSum(zip), Size: int64(len(zip))}}}}
	raw, err := json.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "Go"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "feed.json"), raw, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "Go", "all.zip"), zip, 0o644)
}
