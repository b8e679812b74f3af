package ceremony

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"signbox/device/mcuboot"
	"signbox/device/mcuboot/mcuemu"
	"signbox/device/profile"
	"signbox/policy"
)

// TestMixedFleetKeyGeneration: a policy with an ESP32 product and an
// MCUboot product; the key generation ceremony makes the MCUboot firmware
// key (RSA-2048, which only keys.firmware allows) in the HSM with the
// others and writes its public key; an image signed with it through the
// MCUboot profile boots on the emulated board; a release ceremony for the
// MCUboot product is refused by name (not built yet), the ESP32 product's
// rules are unchanged.
func TestMixedFleetKeyGeneration(t *testing.T) {
	f := newFixture(t)
	f.mcuboot = "rsa-2048"
	f.writePolicy(f.ws.policyPath(), 1, nil)
	s, err := f.ws.PlanKeyGeneration(KeyGenInputs{Date: "2026-11-20"})
	if err != nil {
		t.Fatal(err)
	}
	var fw *KeyRef
	for i, k := range s.Plan().KeyGen.Keys {
		if k.Label == "wearable-fw" {
			fw = &s.Plan().KeyGen.Keys[i]
		}
	}
	if fw == nil || fw.Purpose != "firmware" || fw.Algorithm != policy.RSA2048 {
		t.Fatalf("key generation plan: firmware key %+v", fw)
	}
	f.run(s, "alice", "bob")
	if _, err := os.Stat(s.OutputPath(pubKeyName(*fw))); err != nil {
		t.Fatal(err)
	}
	pubs, err := readPublicKeys(s, []KeyRef{*fw})
	if err != nil {
		t.Fatal(err)
	}
	pub := pubs[0]
	signer, err := f.hsm.Signer("wearable-fw")
	if err != nil {
		t.Fatal(err)
	}
	if fp1, _ := policy.Fingerprint(pub); fp1 != mustFingerprint(t, signer.Public()) {
		t.Fatal("the ceremony's public key output is not the HSM key")
	}

	// The provisioning profile tells the bootloader build which key to
	// embed and the KEYHASH the images will carry.
	pb, err := os.ReadFile(s.OutputPath(OutputProfile))
	if err != nil {
		t.Fatal(err)
	}
	var prof Profile
	if err := json.Unmarshal(pb, &prof); err != nil {
		t.Fatal(err)
	}
	if len(prof.Firmware) != 1 || prof.Firmware[0].Label != "wearable-fw" || prof.Firmware[0].Products[0] != "wearable" || prof.Firmware[0].Boards[0] != "nrf52840" {
		t.Fatalf("profile firmware keys %+v", prof.Firmware)
	}

	fam, err := profile.Lookup("mcuboot")
	if err != nil {
		t.Fatal(err)
	}
	img, err := fam.Sign(make([]byte, 3000), []crypto.Signer{signer}, profile.SignParams{Version: "1.0.0", SecurityCounter: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fam.Verify(img, []crypto.PublicKey{pub}, 1); err != nil {
		t.Fatal(err)
	}
	parsed, err := mcuboot.Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	if kh, _ := parsed.Find(mcuboot.TLVKeyHash); hex.EncodeToString(kh.Value) != prof.Firmware[0].KeyHash {
		t.Fatalf("image KEYHASH %x, profile says %s", kh.Value, prof.Firmware[0].KeyHash)
	}
	board, _ := profile.BoardByName("nrf52840")
	d, err := mcuemu.New(mcuemu.Config{Layout: board.Layout(), Mode: mcuemu.SwapMove, Keys: []crypto.PublicKey{pub}, Factory: img})
	if err != nil {
		t.Fatal(err)
	}
	if tr, err := d.Boot(); err != nil || tr.Version.Major != 1 {
		t.Fatalf("emulated board: %v %v", tr, err)
	}

	pol, err := f.ws.Policy()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkProductRules(pol, "wearable", "", 1); !errors.Is(err, ErrPolicyDenied) {
		t.Fatalf("release of the MCUboot product: %v", err)
	}
	if err := checkProductRules(pol, "pump", "esp32c6", 1); err != nil {
		t.Fatal(err)
	}
}

func mustFingerprint(t *testing.T, pub crypto.PublicKey) string {
	t.Helper()
	fp, err := policy.Fingerprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}
