package profile_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
	"signbox/device/profile"
)

// TestBothFamiliesBehindOneInterface signs a raw build of each family
// with a P-256 key (which every listed target verifies), verifies it
// through the same calls, and checks the facts and the refusals.
func TestBothFamiliesBehindOneInterface(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cases := []struct {
		family, target string
		raw            []byte
		params         profile.SignParams
		version        string
		sv             uint32
	}{
		{"esp32", "esp32c6", espApp(t), profile.SignParams{}, "1.0.0", 3},
		{"mcuboot", "nrf52840", make([]byte, 5000), profile.SignParams{Version: "1.4.0+9", SecurityCounter: 3}, "1.4.0+9", 3},
	}
	for _, c := range cases {
		t.Run(c.family, func(t *testing.T) {
			f, err := profile.Lookup(c.family)
			if err != nil {
				t.Fatal(err)
			}
			algs, err := f.Algorithms(c.target)
			if err != nil || !contains(algs, "ecdsa-p256") {
				t.Fatalf("Algorithms(%s) = %v, %v", c.target, algs, err)
			}
			if _, err := f.Algorithms("no-such-target"); err == nil {
				t.Fatal("unknown target accepted")
			}
			signed, err := f.Sign(c.raw, []crypto.Signer{key}, c.params)
			if err != nil {
				t.Fatal(err)
			}
			if g, ok := profile.ForImage(signed); !ok || g.Name() != c.family {
				t.Fatalf("ForImage: %v %v", g, ok)
			}
			if d, err := f.Describe(signed); err != nil || d == "" {
				t.Fatalf("Describe: %v", err)
			}
			facts, err := f.Verify(signed, []crypto.PublicKey{other.Public(), key.Public()}, c.sv)
			if err != nil {
				t.Fatal(err)
			}
			if facts.Family != c.family || facts.Version != c.version || facts.SecurityVersion != c.sv || facts.Key != 1 || len(facts.ImageDigest) == 0 {
				t.Fatalf("facts %+v", facts)
			}
			if _, err := f.Verify(signed, []crypto.PublicKey{key.Public()}, c.sv+1); !errors.Is(err, profile.ErrBelowFloor) {
				t.Fatalf("above the floor: %v", err)
			}
			if _, err := f.Verify(signed, []crypto.PublicKey{other.Public()}, 0); err == nil {
				t.Fatal("verified with a key that did not sign")
			}
		})
	}
}

func TestLookup(t *testing.T) {
	if _, err := profile.Lookup("stm32-sbsfu"); !errors.Is(err, profile.ErrUnknownFamily) || !strings.Contains(err.Error(), "esp32") {
		t.Fatalf("Lookup: %v", err)
	}
	if _, ok := profile.ForImage([]byte("not an image")); ok {
		t.Fatal("ForImage matched garbage")
	}
	b, err := profile.BoardByName("nrf52840")
	if err != nil || b.Layout().SectorSize != 4096 {
		t.Fatalf("%+v %v", b, err)
	}
	f, _ := profile.Lookup("mcuboot")
	if _, err := f.Sign([]byte{1}, nil, profile.SignParams{Version: "1.0.0"}); err == nil {
		t.Fatal("MCUboot signed with no signer")
	}
}

func espApp(t *testing.T) []byte {
	b, err := esptest.Build(esptest.Options{Chip: esp.ESP32C6, Size: 8192, SecureVersion: 3})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
