package ceremony

import (
	"crypto"
	"encoding/hex"
	"io"
	"testing"

	"signbox/device/emu"
	"signbox/device/esp"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/policy"
)

// splitStore puts the audit keys on the operator's token and every other
// key on the appliance token, as appliance.Init does.
type splitStore struct{ appliance, audit tokenStore }

func (s splitStore) pick(label string) tokenStore {
	if label == "audit-mac" || label == "audit-checkpoint" {
		return s.audit
	}
	return s.appliance
}
func (s splitStore) Signer(label string) (crypto.Signer, error) { return s.pick(label).Signer(label) }
func (s splitStore) GenerateKey(label string, alg policy.Algorithm) (crypto.PublicKey, error) {
	return s.pick(label).GenerateKey(label, alg)
}
func (s splitStore) Rand() io.Reader { return s.appliance.Rand() }

// TestAnyTokenRelease runs a release end to end with the appliance token
// and the custodians' approval tokens from the selected implementation
// (make test runs it on SoftHSM2 and on tpm2-pkcs11 over swtpm): key
// generation, the policy change pinning the keys, a release signed with
// RSA-3072 Secure Boot V2 keys (on a TPM: CKM_RSA_X_509 with host
// EMSA-PSS), and the signed images provisioned onto an emulated device,
// which boots them. The audit keys (HMAC, Ed25519) live on the operator's
// SoftHSM token, where the appliance puts them too.
func TestAnyTokenRelease(t *testing.T) {
	f := newFixtureWith(t, "esp32c6", "rsa-3072", nil)
	f.ks = splitStore{appliance: f.hsm, audit: tokenStore{hsmtest.NewTokenFrom(t, hsmtest.SoftHSM)}}
	for _, alg := range []hsm.Algorithm{hsm.RSA3072, hsm.ECDSAP256} {
		if m := f.hsm.Lacks(alg); m != "" {
			t.Fatalf("appliance token lacks %s for %s; the release needs it", m, alg)
		}
	}
	info := f.hsm.Info()
	t.Logf("appliance token %q: %s %s", info.Label, info.Manufacturer, info.Model)
	f.bootstrap()

	var prof Profile
	readJSONFile(t, f.ws.ceremonyDir("0001-keygen")+"/out/profile.json", &prof)
	var digests [][32]byte
	for _, sl := range prof.Slots {
		b, err := hex.DecodeString(sl.KeyDigest)
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, [32]byte(b))
	}

	in := images(t, t.TempDir(), 64<<10)
	in.Chip = "esp32c6"
	rel, err := f.ws.PlanRelease(in)
	if err != nil {
		t.Fatal(err)
	}
	f.run(rel, "alice", "carol")

	res, err := emu.Provision(emu.ProvisionConfig{
		Chip: esp.ESP32C6, Layout: emu.DefaultLayout, Product: "pump", KeyDigests: digests,
		Bootloader: readFile2(t, rel.OutputPath(OutputBootloader)), App: readFile2(t, rel.OutputPath(OutputApp)),
	})
	if err != nil {
		t.Fatalf("device refuses the release signed on token %q: %v", f.hsm.Info().Label, err)
	}
	trace, err := res.Device.Boot()
	if err != nil || !trace.Booted() || trace.SecureVersion != 1 {
		t.Fatalf("device boot: %v, trace %+v", err, trace)
	}
}
