// Package evidencetest builds the demo release used by evidence's golden
// tests, the `signbox evidence` scripts and demos: infusion-pump 2.5.0 on
// an ESP32-C6, security version 3 → 4, four findings (one fixed, two not
// affected, one exploitable with a workaround) and a three-wave rollout.
// Everything but the image signatures is deterministic. The findings,
// their summaries and decisions are illustrative: they are not statements
// about those components.
package evidencetest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"signbox/airgap"
	"signbox/bundle"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/evidence"
	"signbox/sbom"
	"signbox/vuln"
)

// Facts of the demo release.
var (
	CeremonyDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	PlanDigest   = "sha256:3f2a0000000000000000000000000000000000000000000000000000000000aa"
)

const (
	Product = "infusion-pump"
	Version = "2.5.0"
	Chip    = "esp32c6"
)

// GoldenImages are fixed image digests for golden documents (real
// signatures are salted, so signed images differ per run).
var GoldenImages = map[string]string{
	"bootloader.bin": "4a5d4b3b4c3a5e2ff1c0e1f7dd3b0d2b2a5fd9f0c4c6b1b2f4f1a9b8c7d6e5f4",
	"app.bin":        "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
}

// OtherFiles are the bundle paths package bundle writes for the demo.
var OtherFiles = []string{"images/bootloader.bin", "images/app.bin", "keys/secure-boot-0.pub.pem", "sbom.cdx.json", "vex.cdx.json",
	"ceremony/transcript.json", "ceremony/approvals/alice.dsse.json", "ceremony/approvals/bob.dsse.json", "audit/checkpoint.txt"}

// Clinical is the demo request's clinical block.
func Clinical() *airgap.Clinical {
	down, yes := 12, true
	return &airgap.Clinical{
		Impact:         "The pump cannot deliver infusions while the update installs. Programmed drug libraries and patient settings are kept.",
		InstallMinutes: 8, DowntimeMinutes: &down,
		Reboot:   &airgap.Reboot{Required: &yes, SafeWhen: "No infusion is running and the pump is docked and on mains power."},
		Rollback: "Install the signed 2.4.1 bundle from the previous release media with the same procedure; settings are kept.",
		UDIDI:    "00812345678901", MDS2: "MDS2-IP-2500 rev 3",
		Rollout: &airgap.Rollout{Waves: []airgap.Wave{
			{Name: "pilot", Sites: []string{"Clinical engineering lab", "St Elsewhere ICU"}, HoldHours: 72,
				HoldCriteria: []string{"no failed installs", "no rollback", "no new alarms attributed to the update"}},
			{Name: "early", FleetPercent: 20, HoldHours: 48, HoldCriteria: []string{"install success rate at least 99%"}},
			{Name: "general", FleetPercent: 80},
		}},
	}
}

// SourceSBOM is the request's SBOM: ESP-IDF and three C libraries, each
// naming its supplier but cJSON, whose supplier the policy's
// release.sbom.suppliers names (ReleaseSBOM).
const SourceSBOM = `{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "components": [
    {"bom-ref": "esp-idf", "type": "framework", "supplier": {"name": "Espressif Systems"}, "name": "esp-idf", "version": "5.1.2", "purl": "pkg:github/espressif/esp-idf@5.1.2"},
    {"bom-ref": "mbedtls", "type": "library", "supplier": {"name": "Mbed TLS project"}, "name": "mbedtls", "version": "3.4.0", "purl": "pkg:github/Mbed-TLS/mbedtls@3.4.0"},
    {"bom-ref": "lwip", "type": "library", "supplier": {"name": "lwIP project"}, "name": "lwip", "version": "2.1.3", "purl": "pkg:github/lwip-tcpip/lwip@2.1.3"},
    {"bom-ref": "cjson", "type": "library", "name": "cjson", "version": "1.7.15", "purl": "pkg:github/DaveGamble/cJSON@1.7.15"}
  ]
}
`

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ReleaseSBOM writes the release SBOM binding the given image digests.
func ReleaseSBOM(images map[string]string) ([]byte, error) {
	s, err := sbom.Parse([]byte(SourceSBOM), sbom.FormatJSON)
	if err != nil {
		return nil, err
	}
	sup := map[string]sbom.Support{
		"esp-idf": {Level: sbom.SupportActive, EndOfSupport: day(2028, 6, 30)},
		"mbedtls": {Level: sbom.SupportLimited, EndOfSupport: day(2027, 3, 31)},
		"lwip":    {Level: sbom.SupportActive, EndOfSupport: day(2029, 12, 31)},
		"cjson":   {Level: sbom.SupportNone, EndOfSupport: day(2026, 1, 1)},
	}
	var buf bytes.Buffer
	err = sbom.WriteRelease(&buf, sbom.Release{FirmwareName: Product, FirmwareVersion: Version, Manufacturer: sbom.Organization{Name: "Example Medical", URL: "https://example-medical.test"},
		Suppliers: sbom.Suppliers{"pkg:github/DaveGamble/": "Dave Gamble"}, ToolVersion: "v0.0.0-test",
		Images: images, Source: s, Support: sup, Timestamp: CeremonyDate}, sbom.ReleasePolicy{RequireSupport: true})
	return buf.Bytes(), err
}

// VEX writes the demo triage with package vuln, as the appliance does:
// each statement links to its component in releaseSBOM. scratch is a
// directory (created if needed) for the decisions file.
func VEX(scratch string, releaseSBOM []byte) ([]byte, error) {
	s, err := sbom.Parse([]byte(SourceSBOM), sbom.FormatJSON)
	if err != nil {
		return nil, err
	}
	rel, err := sbom.Parse(releaseSBOM, sbom.FormatJSON)
	if err != nil {
		return nil, err
	}
	// The demo's C components have github purls, which no OSV ecosystem
	// covers; the demo names them the way a scan of a GIT feed would.
	comp := map[string]sbom.Component{}
	for i, c := range *s.BOM.Components {
		comp[c.BOMRef] = sbom.Component{Ref: c.BOMRef, Path: fmt.Sprintf("components[%d]", i), Ecosystem: "GIT",
			Name: c.Name, Version: c.Version, Written: c.Version, PURL: c.PackageURL}
	}
	feed := sha256.Sum256([]byte("demo feed"))
	res := &vuln.Result{FeedDigest: "sha256:" + hex.EncodeToString(feed[:]), Scanned: len(comp), Findings: findings(comp)}
	if err := os.MkdirAll(scratch, 0o700); err != nil {
		return nil, err
	}
	ds, err := vuln.LoadDecisions(scratch)
	if err != nil {
		return nil, err
	}
	for _, d := range decisions(comp) {
		d.By, d.At = "rm@example-medical.test", CeremonyDate.Add(-24*time.Hour)
		if err := ds.Record(d); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	err = vuln.WriteVEX(&buf, res, ds, vuln.VEXInfo{Timestamp: CeremonyDate, SBOM: rel})
	return buf.Bytes(), err
}

func findings(comp map[string]sbom.Component) []vuln.Finding {
	return []vuln.Finding{
		{ID: "CVE-2024-28755", Aliases: []string{"GHSA-7h2q-x9f3-q8wm"}, Records: []string{"CVE-2024-28755"}, Component: comp["mbedtls"],
			Summary: "TLS 1.2 client accepts a renegotiation that bypasses certificate checks",
			Rating:  vuln.Rating{Severity: vuln.SeverityHigh, Score: 7.4, Vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", Method: "CVSSv31"}, Match: "range"},
		{ID: "CVE-2020-22283", Records: []string{"CVE-2020-22283"}, Component: comp["lwip"],
			Summary: "Buffer overflow in ICMPv6 echo handling", Rating: vuln.Rating{Severity: vuln.SeverityCritical, Score: 9.8,
				Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Method: "CVSSv31"}, Match: "range"},
		{ID: "CVE-2023-53154", Records: []string{"CVE-2023-53154"}, Component: comp["cjson"],
			Summary: "Out-of-bounds read in cJSON_ParseWithLength", Rating: vuln.Rating{Severity: vuln.SeverityMedium}, Match: "range"},
		{ID: "GHSA-4v7x-pqxf-cx7m", Records: []string{"GHSA-4v7x-pqxf-cx7m"}, Component: comp["esp-idf"],
			Summary: "Wi-Fi provisioning accepts replayed session tokens", Rating: vuln.Rating{Severity: vuln.SeverityLow}, Match: "range"},
	}
}

func decisions(comp map[string]sbom.Component) []vuln.Decision {
	return []vuln.Decision{
		{Vuln: "CVE-2024-28755", Component: comp["mbedtls"].Key(), State: vuln.StateResolved, Responses: []string{"update"},
			Detail: "Fix backported from mbedtls 3.6.0 into this release."},
		{Vuln: "CVE-2020-22283", Component: comp["lwip"].Key(), State: vuln.StateNotAffected, Justification: "requires_configuration",
			Detail: "IPv6 is disabled in the firmware configuration (CONFIG_LWIP_IPV6=n)."},
		{Vuln: "CVE-2023-53154", Component: comp["cjson"].Key(), State: vuln.StateNotAffected, Justification: "code_not_reachable",
			Detail: "The firmware parses JSON only with cJSON_Parse on bounded, NUL-terminated buffers."},
		{Vuln: "GHSA-4v7x-pqxf-cx7m", Component: comp["esp-idf"].Key(), State: vuln.StateExploitable, Responses: []string{"workaround_available"},
			Detail: "Keep Wi-Fi provisioning disabled (the factory default); a fix is planned for 2.6.0."},
	}
}

// Inputs returns the demo's evidence inputs for the given image digests.
func Inputs(images map[string]string, scratch string) (evidence.Inputs, error) {
	sb, err := ReleaseSBOM(images)
	if err != nil {
		return evidence.Inputs{}, err
	}
	vex, err := VEX(scratch, sb)
	if err != nil {
		return evidence.Inputs{}, err
	}
	return evidence.Inputs{
		Product: Product, Version: Version, Chip: Chip, Manufacturer: "Example Medical",
		Namespace: "https://example-medical.test/security", Clinical: Clinical(), PreviousVersion: "2.4.1",
		SecurityVersion: evidence.Versions{Old: 3, New: 4}, CeremonyDate: CeremonyDate, PlanDigest: PlanDigest,
		SBOM: sb, VEX: vex, Files: OtherFiles,
	}, nil
}

// SignedImages builds the demo bootloader and app and signs both with
// signer (RSA-3072 or ECDSA P-256: the ESP32-C6 takes either).
func SignedImages(signer crypto.Signer) (boot, app []byte, err error) {
	b, err := esptest.Build(esptest.Options{Kind: esp.KindBootloader, Chip: esp.ESP32C6, Size: 2 << 10, SecureVersion: 1})
	if err != nil {
		return nil, nil, err
	}
	a, err := esptest.Build(esptest.Options{Chip: esp.ESP32C6, Size: 4 << 10, SecureVersion: 4, Version: Version, Project: Product})
	if err != nil {
		return nil, nil, err
	}
	if boot, err = esp.Sign(b, []crypto.Signer{signer}, rand.Reader); err != nil {
		return nil, nil, err
	}
	app, err = esp.Sign(a, []crypto.Signer{signer}, rand.Reader)
	return boot, app, err
}

// Checkpoint and Transcript stand in for the audit and ceremony packages'
// outputs, in their formats.
const Checkpoint = "signbox.example/audit\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— signbox.example/audit AAAAAQIDBAUGBwgJ\n"

func Transcript() []byte {
	return []byte(`{"format":"signbox-ceremony-transcript/v1","id":"0002-release","kind":"release","date":"2026-11-21",` +
		`"plan_digest":"` + PlanDigest + `","plan_words":"x","plan":{},"approvals":[{"custodian":"alice"},{"custodian":"bob"}],` +
		`"approvals_envelope":"../approvals.dsse.json","outputs":[]}` + "\n")
}

// Build makes the signed demo bundle: images signed by secureBoot, the
// manifest by release. edit, if set, changes the generated documents, and
// the SBOM and VEX (under their bundle names), before they go in (a nil
// document leaves it out).
func Build(release, secureBoot crypto.Signer, scratch string, edit func(map[string][]byte)) (*bundle.Bundle, error) {
	boot, app, err := SignedImages(secureBoot)
	if err != nil {
		return nil, err
	}
	in, err := Inputs(map[string]string{"bootloader.bin": hexSum(boot), "app.bin": hexSum(app)}, scratch)
	if err != nil {
		return nil, err
	}
	docs, err := evidence.Generate(in)
	if err != nil {
		return nil, err
	}
	if edit != nil {
		docs[evidence.SBOMName], docs[evidence.VEXName] = in.SBOM, in.VEX
		edit(docs)
		in.SBOM, in.VEX = docs[evidence.SBOMName], docs[evidence.VEXName]
		delete(docs, evidence.SBOMName)
		delete(docs, evidence.VEXName)
	}
	c := &bundle.Contents{
		Product: in.Product, Version: in.Version, Chip: in.Chip, SecurityVersion: in.SecurityVersion.New,
		CeremonyDate: in.CeremonyDate, PlanDigest: in.PlanDigest,
		Images: []bundle.ImageInput{{Role: "bootloader", Data: boot}, {Role: "app", Data: app}},
		Keys:   []bundle.KeyInput{{Name: "secure-boot-0", Public: secureBoot.Public(), Slot: 0}},
		SBOM:   in.SBOM, VEX: in.VEX, Transcript: Transcript(),
		Approvals:  []bundle.NamedFile{{Name: "alice.dsse.json", Data: []byte(`{"payloadType":"x","payload":"","signatures":[]}`)}, {Name: "bob.dsse.json", Data: []byte(`{"payloadType":"y","payload":"","signatures":[]}`)}},
		Checkpoint: []byte(Checkpoint),
	}
	for _, name := range evidence.Documents(in.Product, in.Version, in.SecurityVersion.New) {
		if d := docs[name]; d != nil {
			c.Documents = append(c.Documents, bundle.NamedFile{Name: name, Data: d})
		}
	}
	return bundle.Build(c, release)
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
