package airgap

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"signbox/internal/atomicfile"
)

func testInput() RequestInput {
	downtime, reboot := 0, false
	return RequestInput{
		Product: "pump", Version: "1.0.0", Chip: "esp32c6", SecurityVersion: 1,
		Bootloader: []byte("bootloader bytes"), App: []byte("app bytes \x00\xff"),
		SBOM: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`),
		Clinical: &Clinical{Impact: "none while docked", InstallMinutes: 5, DowntimeMinutes: &downtime,
			Reboot: &Reboot{Required: &reboot}, Rollback: "reinstall 0.9", UDIDI: "00812345678901", MDS2: "MDS2-1"},
	}
}

func testSigner(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestWriteRequestRoundTrip: what WriteRequest writes, in either form,
// VerifyRequest accepts under the build key, with the same request.
func TestWriteRequestRoundTrip(t *testing.T) {
	build := testSigner(t)
	for _, tar := range []bool{false, true} {
		target := filepath.Join(t.TempDir(), "request")
		in := testInput()
		v, err := WriteRequest(target, in, WriteOptions{Signer: build, Tar: tar})
		if err != nil {
			t.Fatalf("tar=%v: %v", tar, err)
		}
		if v.Signature != SignatureVerified || v.Request.Product != "pump" || v.Request.Clinical.UDIDI != "00812345678901" {
			t.Fatalf("tar=%v: verified %+v", tar, v)
		}
		again, err := VerifyRequest(target, VerifyOptions{BuildKeys: []crypto.PublicKey{build.Public()}})
		if err != nil {
			t.Fatalf("tar=%v: verify: %v", tar, err)
		}
		app, err := again.Media().ReadFile(RequestAppFile)
		if err != nil || !bytes.Equal(app, in.App) {
			t.Fatalf("tar=%v: app on media %q, %v", tar, app, err)
		}
		if _, err := VerifyRequest(target, VerifyOptions{BuildKeys: []crypto.PublicKey{testSigner(t).Public()}}); !errors.Is(err, ErrSignature) {
			t.Fatalf("tar=%v: another build key: %v, want ErrSignature", tar, err)
		}
	}
}

func TestWriteRequestUnsigned(t *testing.T) {
	target := filepath.Join(t.TempDir(), "request")
	v, err := WriteRequest(target, testInput(), WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Signature != SignatureAbsent {
		t.Fatalf("signature %s, want absent", v.Signature)
	}
}

// TestWriteRequestNeverOverwrites: an existing output, file or directory,
// is refused and left as it was.
func TestWriteRequestNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	for _, tar := range []bool{false, true} {
		target := filepath.Join(dir, "out")
		if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := WriteRequest(target, testInput(), WriteOptions{Signer: testSigner(t), Tar: tar})
		if !errors.Is(err, atomicfile.ErrExists) {
			t.Fatalf("tar=%v: %v, want ErrExists", tar, err)
		}
		if b, _ := os.ReadFile(target); string(b) != "keep" {
			t.Fatalf("tar=%v: existing output changed to %q", tar, b)
		}
		os.Remove(target)
	}
	assertOnly(t, dir)
}

// TestWriteRequestRefusesHostileInput: whatever the appliance would refuse
// is refused before anything is written, naming the field.
func TestWriteRequestRefusesHostileInput(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*RequestInput)
		want   string
	}{
		{"product with a space", func(in *RequestInput) { in.Product = "pump x" }, "product: byte ' ' not allowed"},
		{"no product", func(in *RequestInput) { in.Product = "" }, "product is required"},
		{"version too long", func(in *RequestInput) { in.Version = strings.Repeat("9", 65) }, "version: longer than 64 bytes"},
		{"unknown chip", func(in *RequestInput) { in.Chip = "esp8266" }, `chip: "esp8266" is not one of`},
		{"no bootloader", func(in *RequestInput) { in.Bootloader = nil }, "no bootloader image"},
		{"no app", func(in *RequestInput) { in.App = nil }, "no app image"},
		{"no sbom", func(in *RequestInput) { in.SBOM = nil }, "no SBOM"},
		{"oversize app", func(in *RequestInput) { in.App = make([]byte, MaxImageBytes+1) }, "images[1].size"},
		{"clinical missing fields", func(in *RequestInput) { in.Clinical = &Clinical{Impact: "x"} }, "missing required fields: clinical.install_minutes"},
		{"clinical bad udi", func(in *RequestInput) { in.Clinical.UDIDI = "00812345678902" }, "GS1 check digit"},
		{"clinical control char", func(in *RequestInput) { in.Clinical.Rollback = "a\x1bb" }, "control character"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		in := testInput()
		c.mutate(&in)
		_, err := WriteRequest(filepath.Join(dir, "out"), in, WriteOptions{Signer: testSigner(t)})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	assertOnly(t, dir)
}

func TestSignManifestRefusesInvalid(t *testing.T) {
	s := testSigner(t)
	for name, m := range map[string]string{
		"no kind":       `{"product":"pump"}`,
		"other kind":    `{"kind":"signbox.release-bundle/v1"}`,
		"bad request":   `{"kind":"` + KindRequest + `","product":"pump"}`,
		"unknown field": `{"kind":"` + KindFeed + `","source":"x","snapshot":"2026-01-01T00:00:00Z","files":[],"extra":1}`,
		"not json":      `kind: x`,
	} {
		if _, err := SignManifest(s, []byte(m)); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}
