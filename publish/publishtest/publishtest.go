// Package publishtest makes what publish and fleet tests need: release
// bundles signed like the appliance's (ESP32-C6 images under in-memory
// ECDSA P-256 Secure Boot keys, a release key), a provisioning config for
// emulated devices that trust them, and TUF keys in a real SoftHSM token.
package publishtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"signbox/bundle"
	"signbox/device/emu"
	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/publish"
)

// Product and Chip of every fixture bundle.
const (
	Product = "infusion-pump"
	Chip    = esp.ESP32C6
)

// CeremonyDate is the fixture bundles' ceremony date.
var CeremonyDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

var (
	keysOnce   sync.Once
	sbKey      *ecdsa.PrivateKey
	releaseKey *ecdsa.PrivateKey
)

func keys() {
	keysOnce.Do(func() {
		sbKey = mustKey()
		releaseKey = mustKey()
	})
}

func mustKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// ReleaseKey is the release-bundle public key fixture bundles verify under.
func ReleaseKey() crypto.PublicKey { keys(); return releaseKey.Public() }

// Layout is a small flash layout so device tests stay fast.
var Layout = emu.Layout{SlotSize: 0x10000}

func image(t testing.TB, kind esp.Kind, size int, sv uint32, version string) []byte {
	t.Helper()
	keys()
	raw, err := esptest.Build(esptest.Options{Kind: kind, Chip: Chip, Size: size, SecureVersion: sv,
		Version: version, Project: Product, Seed: uint64(sv)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := esp.Sign(raw, []crypto.Signer{sbKey}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// AppSize is the app image size of fixture bundles.
const AppSize = 16 << 10

// WriteBundle writes a signed bundle for version/sv under dir and returns
// its path.
func WriteBundle(t testing.TB, dir, version string, sv uint32) string {
	t.Helper()
	keys()
	c := &bundle.Contents{
		Product: Product, Version: version, Chip: "esp32c6", SecurityVersion: sv,
		CeremonyDate: CeremonyDate,
		PlanDigest:   "sha256:" + fmt.Sprintf("%064x", sv),
		Images: []bundle.ImageInput{
			{Role: "bootloader", Data: image(t, esp.KindBootloader, 8<<10, 0, "")},
			{Role: "app", Data: image(t, esp.KindApp, AppSize, sv, version)},
		},
		Keys:       []bundle.KeyInput{{Name: "sb-a", Public: sbKey.Public(), Slot: 0}},
		SBOM:       []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`),
		VEX:        []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"vulnerabilities":[]}`),
		Transcript: []byte(`{"ceremony":"release","steps":[]}`),
		Approvals:  []bundle.NamedFile{{Name: "alice.dsse.json", Data: []byte(`{"payloadType":"x","payload":"","signatures":[]}`)}},
		Checkpoint: []byte("signbox.example/audit\n42\nAAAA\n\n— signbox AAAA\n"),
	}
	b, err := bundle.Build(c, releaseKey)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "bundle-"+version)
	if err := b.WriteDir(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// DeviceConfig provisions an emulated device running app 1.0.0
// (security version 1) that trusts the fixture bundles.
func DeviceConfig(t testing.TB) emu.ProvisionConfig {
	t.Helper()
	keys()
	d, err := esp.KeyDigest(sbKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	return emu.ProvisionConfig{Chip: Chip, Layout: Layout, Product: Product, KeyDigests: [][32]byte{d},
		Bootloader: image(t, esp.KindBootloader, 8<<10, 0, ""), App: image(t, esp.KindApp, AppSize, 1, "1.0.0")}
}

// TUF holds the four TUF keys in one SoftHSM token and the root they make.
type TUF struct {
	Token *hsm.Token
	Root  crypto.Signer
	Keys  publish.Keys
	// RootJSON is version 1 of the root, what devices ship with.
	RootJSON []byte
}

var labels sync.Mutex
var labelN int

// NewTUF generates root, targets, snapshot and timestamp keys (ECDSA
// P-256) in tok and signs a root expiring at expires.
func NewTUF(t testing.TB, tok *hsm.Token, expires time.Time) *TUF {
	t.Helper()
	labels.Lock()
	labelN++
	n := labelN
	labels.Unlock()
	gen := func(role string) crypto.Signer {
		label := fmt.Sprintf("tuf-%s-%d", role, n)
		if _, err := tok.GenerateKey(label, hsm.ECDSAP256); err != nil {
			t.Fatal(err)
		}
		s, err := tok.Signer(label)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	f := &TUF{Token: tok, Root: gen("root"), Keys: publish.Keys{Targets: gen("targets"), Snapshot: gen("snapshot"), Timestamp: gen("timestamp")}}
	var err error
	f.RootJSON, err = publish.NewRoot(publish.RootKeys{Root: f.Root.Public(), Targets: f.Keys.Targets.Public(),
		Snapshot: f.Keys.Snapshot.Public(), Timestamp: f.Keys.Timestamp.Public()}, f.Root, expires)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Token is a SoftHSM token shared by the tests of one process.
func Token(t testing.TB) *hsm.Token {
	t.Helper()
	hsmtest.Require(t)
	tokOnce.Do(func() {
		info := hsmtest.NewTokenInfo(t)
		tokShared, tokErr = hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	})
	if tokErr != nil {
		t.Fatal(tokErr)
	}
	return tokShared
}

var (
	tokOnce   sync.Once
	tokShared *hsm.Token
	tokErr    error
)
