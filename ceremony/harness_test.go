package ceremony

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/policy"
)

// tokenStore adapts a real SoftHSM token to KeyStore, as cmd/signbox does.
type tokenStore struct{ *hsm.Token }

func (t tokenStore) GenerateKey(label string, alg policy.Algorithm) (crypto.PublicKey, error) {
	ki, err := t.Token.GenerateKey(label, hsm.Algorithm(alg))
	if err != nil {
		return nil, err
	}
	return ki.Public, nil
}

// person is a custodian with a personal token holding an approval key.
type person struct {
	name, role string
	signer     crypto.Signer
	pem        string
	sharePEM   string // share_key for custodians (a software P-256 key: the ceremony engine never opens the appliance token)
}

func newPerson(t testing.TB, name, role string) *person {
	t.Helper()
	return newPersonAlg(t, name, role, hsm.ECDSAP256)
}

func newPersonAlg(t testing.TB, name, role string, alg hsm.Algorithm) *person {
	t.Helper()
	tok := hsmtest.NewToken(t)
	if _, err := tok.GenerateKey("approval", alg); err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer("approval")
	if err != nil {
		t.Fatal(err)
	}
	pem, err := encodePublicKey(s.Public())
	if err != nil {
		t.Fatal(err)
	}
	p := &person{name: name, role: role, signer: s, pem: string(pem)}
	if role == "custodian" {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		b, err := encodePublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		p.sharePEM = string(b)
	}
	return p
}

// fixture is a workspace with custodians and an appliance token.
type fixture struct {
	t      testing.TB
	ws     *Workspace
	people map[string]*person
	order  []string
	hsm    tokenStore
	ks     KeyStore          // when set, ceremonies sign with it instead of hsm
	pins   map[string]string // label -> fingerprint; absent means planned
	chip   string            // product chip, default esp32c6
	sbAlg  string            // Secure Boot algorithm, default ecdsa-p256
	// mcuboot, if set, is the algorithm of a second product's firmware
	// key: an MCUboot wearable on an nRF52840 (a mixed fleet).
	mcuboot string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureWith(t, "esp32c6", "ecdsa-p256", nil)
}

// newFixtureWith sets the product chip, the Secure Boot algorithm and, per
// person, the approval key algorithm (default ECDSA P-256).
func newFixtureWith(t testing.TB, chip, sbAlg string, approvalAlgs map[string]hsm.Algorithm) *fixture {
	t.Helper()
	f := &fixture{t: t, people: map[string]*person{}, pins: map[string]string{}, chip: chip, sbAlg: sbAlg}
	for _, p := range [][2]string{{"alice", "custodian"}, {"bob", "custodian"}, {"carol", "custodian"}, {"dana", "release-manager"}, {"erin", "witness"}} {
		alg, ok := approvalAlgs[p[0]]
		if !ok {
			alg = hsm.ECDSAP256
		}
		f.people[p[0]] = newPersonAlg(t, p[0], p[1], alg)
		f.order = append(f.order, p[0])
	}
	f.hsm = tokenStore{hsmtest.NewToken(t)}
	root := t.TempDir()
	ws, err := OpenWorkspace(root)
	if err != nil {
		t.Fatal(err)
	}
	f.ws = ws
	f.writePolicy(filepath.Join(root, "policy.yaml"), 1, nil)
	return f
}

var keyLabels = []string{"sbv2-slot0", "sbv2-slot1", "sbv2-slot2", "release-bundle", "audit-mac", "audit-checkpoint"}

// policyText renders the test policy; a label in pins is active with that
// fingerprint, others are planned.
func (f *fixture) policyText(serial int, extra []*person) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: test-appliance\nserial: %d\nproducts:\n  - {id: pump, chip: %s}\n", serial, f.chip)
	if f.mcuboot != "" {
		b.WriteString("  - {id: wearable, family: mcuboot, board: nrf52840, key: wearable-fw}\n")
	}
	b.WriteString("custodians:\n")
	people := []*person{}
	for _, n := range f.order {
		people = append(people, f.people[n])
	}
	for _, p := range append(people, extra...) {
		fmt.Fprintf(&b, "  - name: %s\n    role: %s\n    approval_key: |\n      %s\n", p.name, p.role, strings.ReplaceAll(strings.TrimSpace(p.pem), "\n", "\n      "))
		if p.sharePEM != "" {
			fmt.Fprintf(&b, "    share_key: |\n      %s\n", strings.ReplaceAll(strings.TrimSpace(p.sharePEM), "\n", "\n      "))
		}
	}
	b.WriteString("quorum:\n  key_generation: {threshold: 2, roles: [custodian]}\n  release_signing: {threshold: 2, roles: [custodian]}\n")
	b.WriteString("  key_revocation: {threshold: 2, roles: [custodian]}\n  policy_change: {threshold: 3, roles: [custodian, release-manager]}\n")
	key := func(indent, label, alg string) string {
		s := fmt.Sprintf("%slabel: %s\n%salgorithm: %s\n", indent, label, indent, alg)
		fp, ok := f.pins[label]
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
		fmt.Fprintf(&b, "    - slot: %d\n%s", slot, key("      ", fmt.Sprintf("sbv2-slot%d", slot), f.sbAlg))
	}
	if f.mcuboot != "" {
		b.WriteString("  firmware:\n    -" + strings.TrimPrefix(key("      ", "wearable-fw", f.mcuboot), "     "))
	}
	b.WriteString("  release_bundle:\n" + key("    ", "release-bundle", "ecdsa-p256"))
	b.WriteString("  audit_mac:\n" + key("    ", "audit-mac", "hmac-sha256"))
	b.WriteString("  audit_checkpoint:\n" + key("    ", "audit-checkpoint", "ed25519"))
	// The eFuse field width of the product's chip bounds max (esp32c5: 9 bits, esp32c2: 4).
	maxSV := map[string]int{"esp32c5": 9, "esp32c2": 4}[f.chip]
	if maxSV == 0 {
		maxSV = 16
	}
	fmt.Fprintf(&b, "release:\n  security_version: {monotonic: true, max: %d}\n  vuln_gate: {block_at: high, block_in_triage: true, exploitable_needs_response: true, allow_unchecked: true}\n", maxSV)
	b.WriteString("  sbom: {required: true, min_spec_version: \"1.5\", require_hashes: false}\n  max_feed_age: 7d\n")
	return b.String()
}

func (f *fixture) writePolicy(path string, serial int, extra []*person) {
	f.t.Helper()
	text := f.policyText(serial, extra)
	if _, err := policy.Parse([]byte(text)); err != nil {
		f.t.Fatalf("test policy: %v\n%s", err, text)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) approve(s *Session, names ...string) Progress {
	f.t.Helper()
	var prog Progress
	for _, n := range names {
		var err error
		if prog, err = s.Approve(n, f.people[n].signer); err != nil {
			f.t.Fatalf("approve %s: %v", n, err)
		}
	}
	return prog
}

// run drives a planned session through every step.
func (f *fixture) run(s *Session, approvers ...string) []Input {
	f.t.Helper()
	f.approve(s, approvers...)
	must(f.t, s.VerifyInputs)
	must(f.t, s.EvaluatePolicy)
	q, err := s.CollectQuorum()
	if err != nil {
		f.t.Fatalf("quorum: %v", err)
	}
	outs, err := s.Sign(q, f.keys())
	if err != nil {
		f.t.Fatalf("sign: %v", err)
	}
	must(f.t, s.Verify)
	must(f.t, s.Export)
	return outs
}

// keys is the store ceremonies sign with.
func (f *fixture) keys() KeyStore {
	if f.ks != nil {
		return f.ks
	}
	return f.hsm
}

func must(t testing.TB, step func() (Checks, error)) Checks {
	t.Helper()
	c, err := step()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bootstrap runs key generation and the policy change that pins the new
// keys, leaving a workspace ready for releases.
func (f *fixture) bootstrap() {
	f.t.Helper()
	s, err := f.ws.PlanKeyGeneration(KeyGenInputs{Date: "2026-11-20"})
	if err != nil {
		f.t.Fatal(err)
	}
	f.run(s, "alice", "bob")
	labels := keyLabels
	if f.mcuboot != "" {
		labels = append(slices.Clone(keyLabels), "wearable-fw")
	}
	for _, l := range labels {
		if l == "audit-mac" {
			f.pins[l] = ""
			continue
		}
		sg, err := f.keys().Signer(l)
		if err != nil {
			f.t.Fatal(err)
		}
		f.pins[l], _ = policy.Fingerprint(sg.Public())
	}
	next := filepath.Join(f.t.TempDir(), "policy-2.yaml")
	f.writePolicy(next, 2, nil)
	pc, err := f.ws.PlanPolicyChange(PolicyChangeInputs{Date: "2026-11-20", NewPolicy: next})
	if err != nil {
		f.t.Fatal(err)
	}
	f.run(pc, "alice", "bob", "dana")
}

// images writes an unsigned bootloader and app and an SBOM.
func images(t testing.TB, dir string, appSize int) ReleaseInputs {
	t.Helper()
	return imagesFor(t, dir, appSize, "esp32c6")
}

func imagesFor(t testing.TB, dir string, appSize int, chipName string) ReleaseInputs {
	t.Helper()
	bl := filepath.Join(dir, "bootloader.bin")
	app := filepath.Join(dir, "app.bin")
	sbom := filepath.Join(dir, "sbom.json")
	chip, err := esp.ParseChip(chipName)
	if err != nil {
		t.Fatal(err)
	}
	for path, b := range map[string][]byte{
		bl:   build(t, esptest.Options{Kind: esp.KindBootloader, Chip: chip, Size: 32 << 10}),
		app:  build(t, esptest.Options{Kind: esp.KindApp, Chip: chip, Size: appSize, SecureVersion: 1, Version: "1.0.0", Project: "pump"}),
		sbom: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`),
	} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ReleaseInputs{Date: "2026-11-21", Product: "pump", Version: "1.0.0", Chip: chipName, SecurityVersion: 1, Bootloader: bl, App: app, SBOM: sbom,
		Gate: &GateRecord{Verdict: "pass", FindingsReviewed: 2, FeedDigest: "sha256:" + strings.Repeat("0f", 32), FeedCreated: "2026-11-18T00:00:00Z", DecisionsDigest: "sha256:" + strings.Repeat("1e", 32)}}
}

// rebuildApp writes in.App again, built as in says (product, version,
// security version), as CI would for a new release: signbox signs images
// as built.
func rebuildApp(t testing.TB, in ReleaseInputs, size int) ReleaseInputs {
	t.Helper()
	chip, err := esp.ParseChip(in.Chip)
	if err != nil {
		t.Fatal(err)
	}
	b := build(t, esptest.Options{Chip: chip, Size: size, SecureVersion: in.SecurityVersion, Version: in.Version, Project: in.Product})
	if err := os.WriteFile(in.App, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return in
}

func mustPub(t testing.TB, f *fixture, label string) crypto.PublicKey {
	t.Helper()
	s, err := f.keys().Signer(label)
	if err != nil {
		t.Fatal(err)
	}
	return s.Public()
}

func build(t testing.TB, o esptest.Options) []byte {
	t.Helper()
	b, err := esptest.Build(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type dsseEnvelope = dsse.Envelope

func fingerprintOf(pub crypto.PublicKey) (string, error) { return policy.Fingerprint(pub) }
