package bundle

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// Test keys: the RSA-3072 Secure Boot keys are espsecure's throwaway
// vector keys (../shared/vectors/esp-sbv2/keys); the release keys were
// made for these tests with openssl.
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

var ceremonyDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// release describes a fixture bundle.
type release struct {
	product, version string
	sv               uint32
	imageSV          uint32          // secure_version inside the app image
	signers          []string        // keys signing both images
	keys             []string        // keys listed, slot = index
	revoked          map[string]bool // keys listed as revoked
	appSize          int
}

func defaultRelease() release {
	return release{product: "infusion-pump", version: "2.5.0", sv: 4, imageSV: 4,
		signers: []string{"rsa3072-a"}, keys: []string{"rsa3072-a", "rsa3072-b"}, appSize: 2 << 10}
}

func signImage(t testing.TB, img []byte, names []string) []byte {
	t.Helper()
	var signers []crypto.Signer
	for _, n := range names {
		signers = append(signers, loadKey(t, n))
	}
	out, err := esp.Sign(img, signers, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (r release) contents(t testing.TB) *Contents {
	t.Helper()
	app, err := esptest.Build(esptest.Options{Size: r.appSize, SecureVersion: r.imageSV, Version: r.version, Project: r.product})
	if err != nil {
		t.Fatal(err)
	}
	boot := esptest.Bootloader(2<<10, 1)
	c := &Contents{
		Product: r.product, Version: r.version, Chip: "esp32c3", SecurityVersion: r.sv,
		CeremonyDate: ceremonyDate,
		PlanDigest:   "sha256:" + "3f2a" + "00000000000000000000000000000000000000000000000000000000000a",
		Images: []ImageInput{
			{Role: "bootloader", Data: signImage(t, boot, r.signers)},
			{Role: "app", Data: signImage(t, app, r.signers)},
		},
		SBOM:       []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`),
		VEX:        []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"vulnerabilities":[]}`),
		Transcript: []byte(`{"ceremony":"release","steps":[]}`),
		Approvals: []NamedFile{
			{Name: "alice.dsse.json", Data: []byte(`{"payloadType":"x","payload":"","signatures":[]}`)},
			{Name: "bob.dsse.json", Data: []byte(`{"payloadType":"y","payload":"","signatures":[]}`)},
		},
		Checkpoint: []byte("signbox.example/audit\n42\nAAAA\n\n— signbox AAAA\n"),
		// The documents for people, as appliance/documents.go adds them
		// (names from evidence/names.go): a tampered one must fail too.
		Documents: []NamedFile{
			{Name: "NOTICE.md", Data: []byte("# Update notice: infusion-pump " + r.version + "\n\nDowntime: about 2 minutes per pump.\n")},
			{Name: "EVIDENCE.md", Data: []byte("| row | verdict |\n|---|---|\n| SBOM | pass |\n")},
			{Name: "evidence.json", Data: []byte(`{"kind":"signbox.evidence-pack/v1","rows":[]}`)},
		},
	}
	for i, n := range r.keys {
		c.Keys = append(c.Keys, KeyInput{Name: n, Public: loadKey(t, n).Public(), Slot: i, Revoked: r.revoked[n]})
	}
	return c
}

func (r release) build(t testing.TB) *Bundle {
	t.Helper()
	b, err := Build(r.contents(t), loadKey(t, "release"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
