package demo

import (
	"fmt"
	"strings"
	"time"
)

// demoFeedAge is the demo policy's max_feed_age. The shipped snapshot is
// dated 2026-08-21 and the demo must keep working long after; a real
// appliance's policy says 7d or so.
const demoFeedAge = 3650 * 24 * time.Hour

// policyYAML is the demo's policy: three custodians, 2-of-3 for releases,
// key generation and revocation, all three for a policy change.
func policyYAML(pems, shares, fps map[string]string) []byte {
	var b strings.Builder
	b.WriteString("# signbox demo policy: throwaway SoftHSM keys, never for production.\n")
	b.WriteString("version: 1\nname: demo-appliance\nserial: 1\n\nproducts:\n")
	fmt.Fprintf(&b, "  - id: %s\n    chip: %s\n", Product, Chip)
	fmt.Fprintf(&b, "  - id: %s\n    family: mcuboot\n    board: %s\n    key: %s\n\ncustodians:\n", SecondProduct, SecondBoard, SecondKey)
	for _, name := range Custodians {
		fmt.Fprintf(&b, "  - name: %s\n    role: custodian\n    approval_key: |\n      %s\n", name,
			strings.ReplaceAll(strings.TrimSpace(pems[name]), "\n", "\n      "))
		fmt.Fprintf(&b, "    share_key: |\n      %s\n", strings.ReplaceAll(strings.TrimSpace(shares[name]), "\n", "\n      "))
	}
	b.WriteString("\nquorum:\n")
	b.WriteString("  key_generation: {threshold: 2, roles: [custodian]}\n")
	b.WriteString("  release_signing: {threshold: 2, roles: [custodian]}\n")
	b.WriteString("  key_revocation: {threshold: 2, roles: [custodian]}\n")
	b.WriteString("  policy_change: {threshold: 3, roles: [custodian]}\n")
	b.WriteString("\nkeys:\n  secure_boot:\n")
	for slot, label := range []string{"sbv2-slot0", "sbv2-slot1"} {
		fmt.Fprintf(&b, "    - slot: %d\n      label: %s\n      algorithm: rsa-3072\n      status: active\n      fingerprint: %s\n", slot, label, fps[label])
	}
	b.WriteString("    - slot: 2\n      label: sbv2-slot2\n      algorithm: rsa-3072\n      status: planned\n")
	fmt.Fprintf(&b, "  firmware:\n    - label: %s\n      algorithm: ecdsa-p256\n      status: active\n      fingerprint: %s\n", SecondKey, fps[SecondKey])
	fmt.Fprintf(&b, "  release_bundle:\n    label: release-bundle\n    algorithm: ecdsa-p256\n    status: active\n    fingerprint: %s\n", fps["release-bundle"])
	b.WriteString("  audit_mac:\n    label: audit-mac\n    algorithm: hmac-sha256\n    status: active\n")
	fmt.Fprintf(&b, "  audit_checkpoint:\n    label: audit-checkpoint\n    algorithm: ed25519\n    status: active\n    fingerprint: %s\n", fps["audit-checkpoint"])
	b.WriteString("\nmanufacturer: {name: Demo Medical Devices, namespace: \"https://demo-medical.example\"}\n")
	b.WriteString("\nrelease:\n  security_version: {monotonic: true, max: 16}\n")
	b.WriteString("  vuln_gate: {block_at: high, block_in_triage: true, exploitable_needs_response: true, allow_unchecked: true}\n")
	b.WriteString("  # The shipped SBOM is CycloneDX 1.2, as real ones often still are.\n")
	b.WriteString("  sbom:\n    required: true\n    min_spec_version: \"1.2\"\n    require_hashes: false\n")
	b.WriteString("    # Suppliers of whole namespaces; the request names the rest per component.\n    suppliers:\n")
	for _, r := range demoSupplierRules {
		fmt.Fprintf(&b, "      - {purl_prefix: %q, name: %q}\n", r[0], r[1])
	}
	fmt.Fprintf(&b, "  max_feed_age: %dd\n", int(demoFeedAge.Hours()/24))
	return []byte(b.String())
}
