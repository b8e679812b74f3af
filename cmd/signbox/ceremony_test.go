package main

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"signbox/airgap"
	"signbox/airgap/envelope"
	"signbox/appliance"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/hsm"
	"signbox/hsm/softhsm"
)

// A test-only command (compiled into the test binary, never into signbox):
// `signbox testonly ceremony-fixture DIR MODE` makes SoftHSM tokens for five
// people (PIN "pin-<name>"; custodians also carry a "share" key-agreement
// key) and the operator's audit token (PIN "pin-operator") under DIR/hsm,
// links the module to DIR/libsofthsm2.so so scripts can name it, and
// initialises an appliance in DIR/ws through appliance.Init: the appliance
// token's PINs are random and split 2-of-3 among alice, bob and carol.
// MODE "planned" makes only the release-bundle and audit keys and leaves
// the Secure Boot slots planned; "active" makes those too. DIR/policy-2.yaml
// is a successor policy. Unsigned images and an SBOM are written in DIR.
func init() {
	register(&command{path: "testonly ceremony-fixture", usage: "DIR planned|active", summary: "test only: ceremony fixtures",
		run: func(e *env, args []string) error {
			if len(args) != 2 {
				return usageErr("want DIR MODE")
			}
			return writeCeremonyFixture(e, args[0], args[1] == "active")
		}})
}

// `signbox testonly release-images DIR` writes only the unsigned images,
// SBOMs and request media of the ceremony fixture.
func init() {
	register(&command{path: "testonly release-images", usage: "DIR", summary: "test only: unsigned release images",
		run: func(e *env, args []string) error {
			if len(args) != 1 {
				return usageErr("want DIR")
			}
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			return fixtureImages(args[0])
		}})
}

var fixturePeople = [][2]string{{"alice", "custodian"}, {"bob", "custodian"}, {"carol", "custodian"}, {"dana", "release-manager"}, {"erin", "witness"}}

func writeCeremonyFixture(e *env, dir string, active bool) error {
	d, err := fixtureHSM(e, dir)
	if err != nil {
		return err
	}
	pems, shares, err := fixturePeopleTokens(d)
	if err != nil {
		return err
	}
	audit, err := d.InitToken("audit", []byte("pin-operator"), []byte("so-operator"))
	if err != nil {
		return err
	}
	keys := []appliance.KeySpec{{Label: "release-bundle", Alg: hsm.ECDSAP256, Backup: true},
		{Label: "audit-mac", Alg: hsm.HMACSHA256, Audit: true}, {Label: "audit-checkpoint", Alg: hsm.Ed25519, Audit: true}}
	if active {
		for slot := range 3 {
			keys = append(keys, appliance.KeySpec{Label: fmt.Sprintf("sbv2-slot%d", slot), Alg: hsm.ECDSAP256, Backup: true})
		}
	}
	var pins map[string]string
	_, err = appliance.Init(appliance.InitOptions{
		Root: filepath.Join(dir, "ws"), Module: d.Module(), ApplianceLabel: "appliance",
		AuditToken: audit.URI, AuditPIN: func() ([]byte, error) { return []byte("pin-operator"), nil },
		Keys: keys, Now: e.now, Date: "2026-11-20", Founders: fixtureFounders(dir),
		Policy: func(fps map[string]string) ([]byte, error) {
			pins = fps
			return []byte(fixturePolicy(1, pems, shares, fps)), nil
		},
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "policy-2.yaml"), []byte(fixturePolicy(2, pems, shares, pins)), 0o644); err != nil {
		return err
	}
	return fixtureImages(dir)
}

// fixturePeopleTokens makes each person's token with an approval key, and
// for custodians a key-agreement key for their share.
func fixturePeopleTokens(d *softhsm.Dir) (approval, share map[string]string, err error) {
	approval, share = map[string]string{}, map[string]string{}
	for _, p := range fixturePeople {
		tok, err := fixtureToken(d, p[0])
		if err != nil {
			return nil, nil, err
		}
		err = fixtureKeys(tok, p, approval, share)
		tok.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	return approval, share, nil
}

func fixtureKeys(tok *hsm.Token, p [2]string, approval, share map[string]string) error {
	ki, err := tok.GenerateKey("approval", hsm.ECDSAP256)
	if err != nil {
		return err
	}
	if approval[p[0]], err = pemOf(ki.Public); err != nil || p[1] != "custodian" {
		return err
	}
	sk, err := tok.GenerateAgreementKey("share")
	if err != nil {
		return err
	}
	share[p[0]], err = pemOf(sk.Public)
	return err
}

// fixtureHSM makes a SoftHSM token directory DIR/hsm and links the module
// to DIR/libsofthsm2.so so scripts can name it.
func fixtureHSM(e *env, dir string) (*softhsm.Dir, error) {
	mod := defaultModule(e)
	if err := os.Symlink(mod, filepath.Join(dir, "libsofthsm2.so")); err != nil {
		return nil, err
	}
	return softhsm.NewDir(filepath.Join(dir, "hsm"), softhsm.WithModule(mod))
}

func fixtureToken(d *softhsm.Dir, name string) (*hsm.Token, error) {
	info, err := d.InitToken(name, []byte("pin-"+name), []byte("so-"+name))
	if err != nil {
		return nil, err
	}
	return hsm.Open(info.URI, func() ([]byte, error) { return []byte("pin-" + name), nil })
}

func pemOf(pub crypto.PublicKey) (string, error) {
	b, err := envelope.MarshalPublicKeyPEM(pub)
	return string(b), err
}

// fixturePolicy mirrors ceremony's test policy: 2-of-3 custodians for
// releases, key generation and revocation; 3 of custodians and the release
// manager for policy changes. Serial 2 raises the release threshold to 3.
func fixturePolicy(serial int, pems, shares, pins map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: script-appliance\nserial: %d\nproducts:\n  - {id: pump, chip: esp32c6}\ncustodians:\n", serial)
	for _, p := range fixturePeople {
		fmt.Fprintf(&b, "  - name: %s\n    role: %s\n    approval_key: |\n      %s\n", p[0], p[1], strings.ReplaceAll(strings.TrimSpace(pems[p[0]]), "\n", "\n      "))
		if sk := shares[p[0]]; sk != "" {
			fmt.Fprintf(&b, "    share_key: |\n      %s\n", strings.ReplaceAll(strings.TrimSpace(sk), "\n", "\n      "))
		}
	}
	rel := 2
	if serial == 2 {
		rel = 3
	}
	fmt.Fprintf(&b, "quorum:\n  key_generation: {threshold: 2, roles: [custodian]}\n  release_signing: {threshold: %d, roles: [custodian]}\n", rel)
	b.WriteString("  key_revocation: {threshold: 2, roles: [custodian]}\n  policy_change: {threshold: 3, roles: [custodian, release-manager]}\n")
	key := func(indent, label, alg string) string {
		s := fmt.Sprintf("%slabel: %s\n%salgorithm: %s\n", indent, label, indent, alg)
		fp, ok := pins[label]
		switch {
		case !ok:
			return s + indent + "status: planned\n"
		case fp == "":
			return s + indent + "status: active\n"
		}
		return s + indent + "status: active\n" + indent + "fingerprint: " + fp + "\n"
	}
	b.WriteString("keys:\n  secure_boot:\n")
	for slot := range 3 {
		fmt.Fprintf(&b, "    - slot: %d\n%s", slot, key("      ", fmt.Sprintf("sbv2-slot%d", slot), "ecdsa-p256"))
	}
	b.WriteString("  release_bundle:\n" + key("    ", "release-bundle", "ecdsa-p256"))
	b.WriteString("  audit_mac:\n" + key("    ", "audit-mac", "hmac-sha256"))
	b.WriteString("  audit_checkpoint:\n" + key("    ", "audit-checkpoint", "ed25519"))
	b.WriteString("release:\n  security_version: {monotonic: true, max: 16}\n  vuln_gate: {block_at: high, block_in_triage: true, exploitable_needs_response: true, allow_unchecked: true}\n")
	b.WriteString("  sbom: {required: true, min_spec_version: \"1.5\", require_hashes: false}\n  max_feed_age: 7d\n")
	return b.String()
}

// fixtureImages writes the unsigned images the way CI builds them, each
// app with the project, version and secure_version of the release it is
// for (signbox signs images as built): app.bin is pump 1.0.0 at security
// version 1, app-1.0.1.bin pump 1.0.1 at 1, and the request media carry
// pump 1.1.0 at 2.
func fixtureImages(dir string) error {
	bl, err := esptest.Build(esptest.Options{Kind: esp.KindBootloader, Chip: esp.ESP32C6, Size: 32 << 10})
	if err != nil {
		return err
	}
	app, err := fixtureApp("1.0.0", 1)
	if err != nil {
		return err
	}
	app101, err := fixtureApp("1.0.1", 1)
	if err != nil {
		return err
	}
	next, err := fixtureApp("1.1.0", 2)
	if err != nil {
		return err
	}
	if err := fixtureRequest(filepath.Join(dir, "request"), bl, next); err != nil {
		return err
	}
	if err := fixtureRequest(filepath.Join(dir, "request-app-only"), nil, next); err != nil {
		return err
	}
	// Verified media whose app was built for 1.0.0: the request is not what
	// its image says.
	if err := fixtureRequest(filepath.Join(dir, "request-stale-app"), bl, app); err != nil {
		return err
	}
	for name, b := range map[string][]byte{
		"bootloader.bin": bl, "app.bin": app, "app-1.0.1.bin": app101,
		"sbom.json": []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[` +
			`{"type":"library","bom-ref":"b","name":"example.com/b","version":"v3.0.0","purl":"pkg:golang/example.com/b@v3.0.0"}]}`),
		"vulnerable-sbom.json": []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[` +
			`{"type":"library","bom-ref":"a","name":"example.com/a","version":"v1.0.0","purl":"pkg:golang/example.com/a@v1.0.0"}]}`),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fixtureApp is an unsigned ESP32-C6 app built as the fixture product pump.
func fixtureApp(version string, sv uint32) ([]byte, error) {
	return esptest.Build(esptest.Options{Kind: esp.KindApp, Chip: esp.ESP32C6, Size: 256 << 10, SecureVersion: sv, Version: version, Project: "pump"})
}

// fixtureRequest writes release request media (airgap's format) for pump
// 1.1.0 at security version 2; without a bootloader when bl is nil.
func fixtureRequest(dir string, bl, app []byte) error {
	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}`)
	ref := func(name string, b []byte) airgap.FileRef {
		s := sha256.Sum256(b)
		return airgap.FileRef{Path: name, SHA256: hex.EncodeToString(s[:]), Size: int64(len(b))}
	}
	req := airgap.Request{Kind: airgap.KindRequest, Product: "pump", Version: "1.1.0", Chip: "esp32c6", SecurityVersion: 2,
		Images: []airgap.Image{{Role: "app", FileRef: ref("app.bin", app)}},
		SBOM:   ref("sbom.cdx.json", sbom),
	}
	files := map[string][]byte{"app.bin": app, "sbom.cdx.json": sbom}
	if bl != nil {
		req.Images = append([]airgap.Image{{Role: "bootloader", FileRef: ref("bootloader.bin", bl)}}, req.Images...)
		files["bootloader.bin"] = bl
	}
	raw, err := json.MarshalIndent(req, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files["request.json"] = raw
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fixtureFounders are the share holders, who approve the genesis policy.
func fixtureFounders(dir string) []appliance.Presenter {
	var out []appliance.Presenter
	for _, p := range fixturePeople {
		if p[1] != "custodian" {
			continue
		}
		name := p[0]
		out = append(out, appliance.Presenter{Name: name, TokenURI: hsm.URI{Token: name, ModulePath: filepath.Join(dir, "libsofthsm2.so")}.String(),
			PIN: func() ([]byte, error) { return []byte("pin-" + name), nil }})
	}
	return out
}
