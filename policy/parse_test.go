package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func example(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExamplesParse(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example policies in testdata")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if !strings.HasPrefix(p.Digest(), "sha256:") || !bytes.Equal(p.Bytes(), b) {
			t.Errorf("%s: digest or bytes wrong", f)
		}
	}
}

func TestExampleContent(t *testing.T) {
	p, err := Parse([]byte(example(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Custodian("alice").Fingerprint(); got != "sha256:d90fb321b56597f10b1c6443939b75fd7dd5368dafff4da240f473ada2978be8" {
		t.Errorf("alice fingerprint %s", got)
	}
	if r := p.Rule(KindReleaseSigning); r.Threshold != 2 || !r.Allows(RoleCustodian) || r.Allows(RoleWitness) {
		t.Errorf("release rule %+v", r)
	}
	if p.Release.MaxFeedAge.Hours() != 168 {
		t.Errorf("max_feed_age %v", p.Release.MaxFeedAge)
	}
	if k := p.SecureBootSlot(2); k == nil || k.Status != StatusPlanned {
		t.Errorf("slot 2 %+v", k)
	}
	if n := len(p.AllKeys()); n != 6 {
		t.Errorf("%d keys", n)
	}
}

// TestYAMLRejectsDuplicateKeys pins the yaml.v3 behaviour the policy relies
// on as a second line behind checkNode.
func TestYAMLRejectsDuplicateKeys(t *testing.T) {
	var v map[string]any
	err := yaml.Unmarshal([]byte("a: 1\na: 2\n"), &v)
	if err == nil || !strings.Contains(err.Error(), `mapping key "a" already defined`) {
		t.Fatalf("yaml.v3 accepted a duplicate key: %v", err)
	}
}

// TestParseErrors pairs a change to the example policy with the exact error.
func TestParseErrors(t *testing.T) {
	ex := example(t)
	aliceKey := "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOXCGgMw1FuoEoi8oYh7E/N6HrjOg\n      B2/KljRpmklKjH6rOShasimaRsU8iTX1ZjRZrMBCc3KsdbckLFPg3T83Dg=="
	bobKey := "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8NzNdNoow+xJznHMHiSBMuejq/C9\n      q2CSUA3zkGzgjsMi+TRi1YWxzLX0DrHglBjhKemauLzdSItX4TkKVTDBDg=="
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown top-level field", "serial: 1\n", "serial: 1\nserail: 2\n", "serail: unknown field (line 6)"},
		{"unknown nested field", "    chip: esp32c6\n", "    chip: esp32c3\n    chipp: x\n", "products[0].chipp: unknown field (line 10)"},
		{"duplicate key", "    chip: esp32c6\n", "    chip: esp32c3\n    chip: esp32s3\n", "products[0].chip: duplicate key (lines 9 and 10)"},
		{"duplicate nested inline key", "      label: sbv2-slot1\n", "      label: sbv2-slot1\n      slot: 2\n", "keys.secure_boot[1].slot: duplicate key (lines 76 and 78)"},
		{"wrong shape", "products:\n  - id: infusion-pump\n    chip: esp32c6\n", "products: infusion-pump\n", "products: want a list, found a single value (line 7)"},
		{"alias", "name: acme-infusion\n", "name: &n acme-infusion\n", "name: YAML anchors and aliases are not allowed (line 4)"},
		{"not an integer", "release_signing: {threshold: 2", "release_signing: {threshold: two", `quorum.release_signing.threshold: "two" is not an integer (line 65)`},
		{"not a bool", "monotonic: true", "monotonic: yes please", `release.security_version.monotonic: "yes please" is not true or false (line 100)`},
		{"version", "version: 1\n", "version: 2\n", "version: policy format 2 is not supported (this build reads 1)"},
		{"name", "name: acme-infusion\n", "name: Acme Infusion\n", `name: "Acme Infusion" must be 1-63 of a-z 0-9 . _ - starting with a letter or digit`},
		{"serial", "serial: 1\n", "serial: 0\n", "serial: must be 1 or more"},
		{"unknown chip", "chip: esp32c6", "chip: esp8266", "products[0].chip: unknown chip \"esp8266\" (known: [esp32 esp32s2 esp32s3 esp32c2 esp32c3 esp32c5 esp32c6 esp32h2 esp32p4])"},
		{"chip lacks scheme", "chip: esp32c6", "chip: esp32c3", "products[0].chip: esp32c3 cannot verify ecdsa-p256 Secure Boot signatures (it supports [rsa-3072])"},
		{"duplicate product", "    chip: esp32c6\n", "    chip: esp32c3\n  - id: infusion-pump\n    chip: esp32s3\n", `products[1].id: "infusion-pump" is already products[0]`},
		{"unknown role", "name: erin\n    role: witness", "name: erin\n    role: auditor", `custodians[4].role: unknown role "auditor" (want custodian, release-manager or witness)`},
		{"duplicate custodian", "name: bob", "name: alice", `custodians[1].name: "alice" is already custodians[0]`},
		{"same key under two names", bobKey, aliceKey, "custodians[1].approval_key: same key as custodians[0] (alice); one key is one person"},
		{"not pem", bobKey, "garbage", "custodians[1].approval_key: not a PEM public key"},
		{"missing quorum", "  key_revocation: {threshold: 2, roles: [custodian]}\n", "", "quorum.key_revocation: required"},
		{"threshold one", "release_signing: {threshold: 2", "release_signing: {threshold: 1", "quorum.release_signing.threshold: 1 is below the minimum of 2; nobody may act alone"},
		{"threshold unreachable", "key_generation: {threshold: 3", "key_generation: {threshold: 4", "quorum.key_generation.threshold: 4 can never be met: only 3 custodians hold roles [custodian]"},
		{"quorum role unknown", "roles: [custodian, release-manager]", "roles: [custodian, boss]", `quorum.policy_change.roles[1]: unknown role "boss"`},
		{"quorum role twice", "roles: [custodian, release-manager]", "roles: [custodian, custodian]", `quorum.policy_change.roles[1]: role "custodian" listed twice`},
		{"slot out of range", "- slot: 2", "- slot: 3", "keys.secure_boot[2].slot: 3 is not an eFuse key slot (0-2)"},
		{"slot twice", "- slot: 2", "- slot: 1", "keys.secure_boot[2].slot: slot 1 is already keys.secure_boot[1]"},
		{"sb algorithm", "label: sbv2-slot2\n      algorithm: ecdsa-p256", "label: sbv2-slot2\n      algorithm: ed25519", `keys.secure_boot[2].algorithm: "ed25519" is not a Secure Boot V2 scheme (want rsa-3072, ecdsa-p256 or ecdsa-p384)`},
		{"sb mixed algorithms", "label: sbv2-slot2\n      algorithm: ecdsa-p256", "label: sbv2-slot2\n      algorithm: rsa-3072", "keys.secure_boot[2].algorithm: rsa-3072 differs from slot 0's ecdsa-p256; a chip uses one scheme"},
		{"label reused", "label: sbv2-slot2", "label: sbv2-slot1", `keys.secure_boot[2].label: "sbv2-slot1" is already used by keys.secure_boot[1]`},
		{"active without fingerprint", "      status: active\n      fingerprint: sha256:2b4c4107f2272b5cd6fdcddd39afc6d4cd5c53e012b69ff967ea0589a8ce5fec\n", "      status: active\n", "keys.secure_boot[1].fingerprint: required for an active key"},
		{"bad fingerprint", "sha256:2b4c4107f2272b5cd6fdcddd39afc6d4cd5c53e012b69ff967ea0589a8ce5fec", "sha256:2B4C", `keys.secure_boot[1].fingerprint: "sha256:2B4C" is not sha256:<64 lowercase hex digits>`},
		{"same key in two slots", "fingerprint: sha256:2b4c4107f2272b5cd6fdcddd39afc6d4cd5c53e012b69ff967ea0589a8ce5fec", "fingerprint: sha256:985369f88b3779d05920335b4241a85f4f38dc2aba7b677e991c601e0fe3565a", "keys.secure_boot[1].fingerprint: same key as keys.secure_boot[0]"},
		{"appliance key is an approval key", "fingerprint: sha256:eeb7fab2491ef88d5d8134cb2db38049bd9ba1db50e93102290c91039dec68d5", "fingerprint: sha256:d90fb321b56597f10b1c6443939b75fd7dd5368dafff4da240f473ada2978be8", "keys.release_bundle.fingerprint: same key as custodians[0] (alice)"},
		{"planned with fingerprint", "      status: planned\n  release_bundle", "      status: planned\n      fingerprint: sha256:2b4c4107f2272b5cd6fdcddd39afc6d4cd5c53e012b69ff967ea0589a8ce5fec\n  release_bundle", "keys.secure_boot[2].fingerprint: a planned key has no fingerprint yet"},
		{"unknown status", "status: planned\n  release_bundle", "status: lost\n  release_bundle", `keys.secure_boot[2].status: unknown status "lost" (want planned, active or revoked)`},
		{"hmac with fingerprint", "algorithm: hmac-sha256\n    status: active\n", "algorithm: hmac-sha256\n    status: active\n    fingerprint: sha256:2b4c4107f2272b5cd6fdcddd39afc6d4cd5c53e012b69ff967ea0589a8ce5fec\n", "keys.audit_mac.fingerprint: a secret key has no public half to pin"},
		{"backup of an audit key", "algorithm: hmac-sha256\n    status: active\n", "algorithm: hmac-sha256\n    status: active\n    backup: true\n", "keys.audit_mac.backup: the audit keys live on the operator's audit token, which appliance backups do not cover"},
		{"checkpoint algorithm", "label: audit-checkpoint\n    algorithm: ed25519", "label: audit-checkpoint\n    algorithm: ecdsa-p256", `keys.audit_checkpoint.algorithm: "ecdsa-p256" is not allowed here (want one of [ed25519])`},
		{"missing release key", "  release_bundle:\n    label: release-bundle\n    algorithm: ecdsa-p256\n    status: active\n    fingerprint: sha256:eeb7fab2491ef88d5d8134cb2db38049bd9ba1db50e93102290c91039dec68d5\n", "", "keys.release_bundle: required"},
		{"not monotonic", "monotonic: true", "monotonic: false", "release.security_version.monotonic: must be true; anti-rollback versions never decrease"},
		{"max version", "max: 16", "max: 33", "release.security_version.max: 33 is outside 1-32"},
		{"max beyond the chip", "max: 16", "max: 17", "release.security_version.max: 17 is more than products[0] (infusion-pump) can record: the ESP32-C6 SECURE_VERSION eFuse field has 16 bits"},
		{"max beyond esp32c5", "chip: esp32c6", "chip: esp32c5", "release.security_version.max: 16 is more than products[0] (infusion-pump) can record: the ESP32-C5 SECURE_VERSION eFuse field has 9 bits"},
		{"max beyond esp32c2", "chip: esp32c6", "chip: esp32c2", "release.security_version.max: 16 is more than products[0] (infusion-pump) can record: the ESP32-C2 SECURE_VERSION eFuse field has 4 bits"},
		{"severity", "block_at: high", "block_at: severe", `release.vuln_gate.block_at: unknown severity "severe" (want none, low, medium, high or critical)`},
		{"unknown severity rule", "allow_unchecked: false}", "allow_unchecked: false, unknown_severity: critical}",
			`release.vuln_gate.unknown_severity: "critical" is not block or allow (omitted means block)`},
		{"sbom version", `min_spec_version: "1.5"`, `min_spec_version: "1.1"`, `release.sbom.min_spec_version: "1.1" is not a CycloneDX version signbox reads [1.2 1.3 1.4 1.5 1.6 1.7]`},
		{"supplier prefix", `require_hashes: true}`, `require_hashes: true, suppliers: [{purl_prefix: "golang/x", name: Go}]}`,
			`release.sbom.suppliers[0].purl_prefix: "golang/x" is not the start of a purl (pkg:TYPE/...)`},
		{"supplier name", `require_hashes: true}`, `require_hashes: true, suppliers: [{purl_prefix: "pkg:golang/", name: " "}]}`,
			`release.sbom.suppliers[0].name: give the supplier's name (at most 256 bytes)`},
		{"supplier twice", `require_hashes: true}`, `require_hashes: true, suppliers: [{purl_prefix: "pkg:npm/", name: a}, {purl_prefix: "pkg:npm/", name: b}]}`,
			`release.sbom.suppliers[1].purl_prefix: "pkg:npm/" is already release.sbom.suppliers[0]`},
		{"supplier unknown field", `require_hashes: true}`, `require_hashes: true, suppliers: [{prefix: "pkg:npm/", name: a}]}`,
			`release.sbom.suppliers[0].prefix: unknown field (line 102)`},
		{"feed age syntax", "max_feed_age: 7d", "max_feed_age: a week", `release.max_feed_age: "a week" is not a duration like 7d or 72h (line 103)`},
		{"manufacturer without name", "  max_feed_age: 7d\n", "  max_feed_age: 7d\nmanufacturer: {namespace: \"https://pumps.example\"}\n", "manufacturer.name is required"},
		{"manufacturer namespace", "  max_feed_age: 7d\n", "  max_feed_age: 7d\nmanufacturer: {name: Acme, namespace: \"http://pumps.example\"}\n", `manufacturer.namespace: "http://pumps.example" must be an https URL the manufacturer controls`},
		{"feed age missing", "  max_feed_age: 7d\n", "", "release.max_feed_age: required and must be positive, e.g. 7d"},
		{"two documents", "max_feed_age: 7d\n", "max_feed_age: 7d\n---\nversion: 1\n", "policy: more than one YAML document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(ex, tc.old) {
				t.Fatalf("example does not contain %q", tc.old)
			}
			_, err := Parse([]byte(strings.Replace(ex, tc.old, tc.new, 1)))
			if err == nil {
				t.Fatalf("accepted; want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

// TestUnknownSeverityRule: release.vuln_gate.unknown_severity is optional
// and blocks unless it says allow.
func TestUnknownSeverityRule(t *testing.T) {
	ex := example(t)
	const gate = "allow_unchecked: false}"
	for _, tc := range []struct {
		set   string
		want  UnknownSeverity
		allow bool
	}{
		{"", "", false},
		{", unknown_severity: block", UnknownSeverityBlock, false},
		{", unknown_severity: allow", UnknownSeverityAllow, true},
	} {
		if !strings.Contains(ex, gate) {
			t.Fatalf("example does not contain %q", gate)
		}
		p, err := Parse([]byte(strings.Replace(ex, gate, "allow_unchecked: false"+tc.set+"}", 1)))
		if err != nil {
			t.Fatalf("%q: %v", tc.set, err)
		}
		if got := p.Release.VulnGate.UnknownSeverity; got != tc.want || got.Allows() != tc.allow {
			t.Errorf("%q: got %q (allows %v)", tc.set, got, got.Allows())
		}
	}
	b, err := os.ReadFile("testdata/annotated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Release.VulnGate.UnknownSeverity != UnknownSeverityBlock {
		t.Errorf("annotated.yaml: unknown_severity %q", p.Release.VulnGate.UnknownSeverity)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# only a comment\n"} {
		if _, err := Parse([]byte(in)); err == nil || err.Error() != "policy is empty" {
			t.Errorf("%q: %v", in, err)
		}
	}
}
