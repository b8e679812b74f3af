package main

import (
	"encoding/json"
	"os"
	"path/filepath"

	"signbox/airgap"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/evidence"
	"signbox/evidence/evidencetest"
)

// A test-only command: `signbox testonly evidence-fixture DIR` writes a
// release key and demo bundles with their hospital documents for the
// evidence_*.txtar scripts: good (directory), good.tar, no-notice
// (validly signed but without NOTICE.md), tampered (NOTICE.md changed
// after signing), plus other.pub.pem.
func init() {
	register(&command{path: "testonly evidence-fixture", usage: "DIR", summary: "test only: evidence bundles",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			return writeEvidenceFixture(args[0])
		}})
}

func writeEvidenceFixture(dir string) error {
	release, other, secureBoot := newP256(), newP256(), newP256()
	if err := writePub(filepath.Join(dir, "release.pub.pem"), release.Public()); err != nil {
		return err
	}
	if err := writePub(filepath.Join(dir, "other.pub.pem"), other.Public()); err != nil {
		return err
	}
	scratch, err := os.MkdirTemp(dir, "scratch")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	good, err := evidencetest.Build(release, secureBoot, filepath.Join(scratch, "a"), nil)
	if err != nil {
		return err
	}
	noNotice, err := evidencetest.Build(release, secureBoot, filepath.Join(scratch, "b"),
		func(d map[string][]byte) { d[evidence.NoticeName] = nil })
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return good.WriteDir(filepath.Join(dir, "good")) },
		func() error { return good.WriteTar(filepath.Join(dir, "good.tar")) },
		func() error { return noNotice.WriteDir(filepath.Join(dir, "no-notice")) },
		func() error { return good.WriteDir(filepath.Join(dir, "tampered")) },
		func() error {
			p := filepath.Join(dir, "tampered", evidence.NoticeName)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.Chmod(p, 0o644); err != nil {
				return err
			}
			return os.WriteFile(p, append(b, "\nDowntime: none.\n"...), 0o644)
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return writeClinicalRequests(dir)
}

// writeClinicalRequests writes request-clinical/ (a release request with a
// complete clinical block) and request-incomplete/ (one missing fields).
func writeClinicalRequests(dir string) error {
	app, err := esptest.Build(esptest.Options{Chip: esp.ESP32C6, Size: 4096, SecureVersion: 4, Version: "2.5.0", Project: "infusion-pump"})
	if err != nil {
		return err
	}
	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`)
	for sub, edit := range map[string]func(*airgap.Clinical){
		"request-clinical":   func(*airgap.Clinical) {},
		"request-incomplete": func(c *airgap.Clinical) { c.Reboot, c.UDIDI, c.MDS2 = nil, "", "" },
	} {
		c := evidencetest.Clinical()
		edit(c)
		req := airgap.Request{Kind: airgap.KindRequest, Product: "infusion-pump", Version: "2.5.0", Chip: "esp32c6", SecurityVersion: 4,
			Images:   []airgap.Image{{Role: "app", FileRef: airgap.FileRef{Path: "app.bin", SHA256: hexSum(app), Size: int64(len(app))}}},
			SBOM:     airgap.FileRef{Path: "sbom.cdx.json", SHA256: hexSum(sbom), Size: int64(len(sbom))},
			Clinical: c,
		}
		raw, err := json.MarshalIndent(req, "", "  ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
		for name, b := range map[string][]byte{"request.json": raw, "app.bin": app, "sbom.cdx.json": sbom} {
			if err := os.WriteFile(filepath.Join(dir, sub, name), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
