package evidence

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"signbox/airgap"
	"signbox/bundle"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/sbom"
	"signbox/vuln"
)

// The demo release: infusion-pump 2.5.0, security version 3 → 4, with
// one fixed, two not-affected and one exploitable-with-workaround finding.
var (
	ceremonyDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	planDigest   = "sha256:3f2a0000000000000000000000000000000000000000000000000000000000aa"
)

func loadKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

func demoClinical() *airgap.Clinical {
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

// signedImages are deterministic apart from nothing: RSA-PSS salts come
// from rand, so image bytes (and the SBOM's digests) differ per run. Golden
// tests therefore use fixed image digests; bundle tests use these.
func signedImages(t testing.TB) (boot, app []byte) {
	t.Helper()
	a, err := esptest.Build(esptest.Options{Size: 2 << 10, SecureVersion: 4, Version: "2.5.0", Project: "infusion-pump"})
	if err != nil {
		t.Fatal(err)
	}
	k := []crypto.Signer{loadKey(t, "rsa3072-a")}
	if boot, err = esp.Sign(esptest.Bootloader(2<<10, 1), k, rand.Reader); err != nil {
		t.Fatal(err)
	}
	if app, err = esp.Sign(a, k, rand.Reader); err != nil {
		t.Fatal(err)
	}
	return boot, app
}

func sha(b []byte) string {
	s := sha256Sum(b)
	return hex.EncodeToString(s[:])
}

func releaseSBOM(t testing.TB, images map[string]string) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/source.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sbom.Parse(src, sbom.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	sup := map[string]sbom.Support{
		"esp-idf": {Level: sbom.SupportActive, EndOfSupport: time.Date(2028, 6, 30, 0, 0, 0, 0, time.UTC)},
		"mbedtls": {Level: sbom.SupportLimited, EndOfSupport: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)},
		"lwip":    {Level: sbom.SupportActive, EndOfSupport: time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC)},
		"cjson":   {Level: sbom.SupportNone, EndOfSupport: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	var buf bytes.Buffer
	err = sbom.WriteRelease(&buf, sbom.Release{FirmwareName: "infusion-pump", FirmwareVersion: "2.5.0", Supplier: "Example Medical",
		Images: images, Source: s, Support: sup, Timestamp: ceremonyDate}, sbom.ReleasePolicy{RequireSupport: true})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// demoVEX writes the VEX with package vuln, exactly as the appliance does.
func demoVEX(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/source.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sbom.Parse(src, sbom.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's C components have github purls, which no OSV ecosystem
	// covers, so sbom lists them as unscannable; the fixture names them
	// the way a scan would.
	comp := map[string]sbom.Component{}
	for i, c := range *s.BOM.Components {
		comp[c.BOMRef] = sbom.Component{Ref: c.BOMRef, Path: fmt.Sprintf("components[%d]", i), Ecosystem: "GIT",
			Name: c.Name, Version: c.Version, Written: c.Version, PURL: c.PackageURL}
	}
	res := &vuln.Result{FeedDigest: "sha256:" + sha([]byte("feed")), Scanned: len(comp), Findings: []vuln.Finding{
		{ID: "CVE-2024-28755", Aliases: []string{"GHSA-2024-mbed-0001"}, Records: []string{"CVE-2024-28755"}, Component: comp["mbedtls"],
			Summary: "TLS 1.2 client accepts a renegotiation that bypasses certificate checks",
			Rating:  vuln.Rating{Severity: vuln.SeverityHigh, Score: 7.4, Vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", Method: "CVSSv31"}, Match: "range"},
		{ID: "CVE-2020-22283", Records: []string{"CVE-2020-22283"}, Component: comp["lwip"],
			Summary: "Buffer overflow in ICMPv6 echo handling", Rating: vuln.Rating{Severity: vuln.SeverityCritical, Score: 9.8,
				Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Method: "CVSSv31"}, Match: "range"},
		{ID: "CVE-2023-53154", Records: []string{"CVE-2023-53154"}, Component: comp["cjson"],
			Summary: "Out-of-bounds read in cJSON_ParseWithLength", Rating: vuln.Rating{Severity: vuln.SeverityMedium}, Match: "range"},
		{ID: "GO-2026-9999", Records: []string{"GO-2026-9999"}, Component: comp["esp-idf"],
			Summary: "Wi-Fi provisioning accepts replayed session tokens", Rating: vuln.Rating{Severity: vuln.SeverityLow}, Match: "range"},
	}}
	ds, err := vuln.LoadDecisions(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := ceremonyDate.Add(-24 * time.Hour)
	for _, d := range []vuln.Decision{
		{Vuln: "CVE-2024-28755", Component: comp["mbedtls"].Key(), State: vuln.StateResolved, Responses: []string{"update"},
			Detail: "Fix backported from mbedtls 3.6.0 into this release."},
		{Vuln: "CVE-2020-22283", Component: comp["lwip"].Key(), State: vuln.StateNotAffected, Justification: "requires_configuration",
			Detail: "IPv6 is disabled in the firmware configuration (CONFIG_LWIP_IPV6=n)."},
		{Vuln: "CVE-2023-53154", Component: comp["cjson"].Key(), State: vuln.StateNotAffected, Justification: "code_not_reachable",
			Detail: "The firmware parses JSON only with cJSON_Parse on bounded, NUL-terminated buffers."},
		{Vuln: "GO-2026-9999", Component: comp["esp-idf"].Key(), State: vuln.StateExploitable, Responses: []string{"workaround_available"},
			Detail: "Keep Wi-Fi provisioning disabled (the factory default); a fix is planned for 2.6.0."},
	} {
		d.By, d.At = "rm@example-medical.test", at
		if err := ds.Record(d); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := vuln.WriteVEX(&buf, res, ds, vuln.VEXInfo{Timestamp: ceremonyDate}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// otherFiles are the bundle paths package bundle writes for the demo.
var otherFiles = []string{"images/bootloader.bin", "images/app.bin", "keys/rsa3072-a.pub.pem", "sbom.cdx.json", "vex.cdx.json",
	"ceremony/transcript.json", "ceremony/approvals/alice.dsse.json", "ceremony/approvals/bob.dsse.json", "audit/checkpoint.txt"}

func demoInputs(t testing.TB, images map[string]string) Inputs {
	return Inputs{
		Product: "infusion-pump", Version: "2.5.0", Chip: "esp32c3", Manufacturer: "Example Medical",
		Namespace: "https://example-medical.test/security", Clinical: demoClinical(), PreviousVersion: "2.4.1",
		SecurityVersion: Versions{Old: 3, New: 4}, CeremonyDate: ceremonyDate, PlanDigest: planDigest,
		SBOM: releaseSBOM(t, images), VEX: demoVEX(t), Files: otherFiles,
	}
}

// goldenImages are fixed digests for golden documents.
var goldenImages = map[string]string{
	"bootloader.bin": "4a5d4b3b4c3a5e2ff1c0e1f7dd3b0d2b2a5fd9f0c4c6b1b2f4f1a9b8c7d6e5f4",
	"app.bin":        "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
}

const demoCheckpoint = "signbox.example/audit\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— signbox.example/audit AAAAAQIDBAUGBwgJ\n"

func demoTranscript() []byte {
	return []byte(`{"format":"signbox-ceremony-transcript/v1","id":"0002-release","kind":"release","date":"2026-11-21",` +
		`"plan_digest":"` + planDigest + `","plan_words":"x","plan":{},"approvals":[{"custodian":"alice"},{"custodian":"bob"}],` +
		`"approvals_envelope":"../approvals.dsse.json","outputs":[]}` + "\n")
}

// demoContents is the demo bundle with docs as its documents.
func demoContents(t testing.TB, boot, app []byte, in Inputs, docs map[string][]byte) *bundle.Contents {
	c := &bundle.Contents{
		Product: in.Product, Version: in.Version, Chip: in.Chip, SecurityVersion: in.SecurityVersion.New,
		CeremonyDate: in.CeremonyDate, PlanDigest: in.PlanDigest,
		Images: []bundle.ImageInput{{Role: "bootloader", Data: boot}, {Role: "app", Data: app}},
		Keys:   []bundle.KeyInput{{Name: "rsa3072-a", Public: loadKey(t, "rsa3072-a").Public(), Slot: 0}},
		SBOM:   in.SBOM, VEX: in.VEX, Transcript: demoTranscript(),
		Approvals:  []bundle.NamedFile{{Name: "alice.dsse.json", Data: []byte(`{"payloadType":"x","payload":"","signatures":[]}`)}, {Name: "bob.dsse.json", Data: []byte(`{"payloadType":"y","payload":"","signatures":[]}`)}},
		Checkpoint: []byte(demoCheckpoint),
	}
	for _, name := range Documents() {
		if d, ok := docs[name]; ok {
			c.Documents = append(c.Documents, bundle.NamedFile{Name: name, Data: d})
		}
	}
	return c
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
