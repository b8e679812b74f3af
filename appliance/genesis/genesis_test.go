// Package genesis_test runs the TUI's door to `signbox init`
// (appliance.GenesisDoor) over fresh SoftHSM tokens: a wrong PIN makes
// nothing and says which token complains, the right ones make the
// appliance and the paper log.
package genesis_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"signbox/airgap/envelope"
	"signbox/appliance"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/tui/api"
)

func TestGenesisDoor(t *testing.T) {
	names := []string{"ann", "ben", "cat"}
	var b strings.Builder
	b.WriteString("version: 1\nname: door\nserial: 1\nproducts:\n  - {id: pump, chip: esp32c6}\ncustodians:\n")
	var founders []appliance.Presenter
	pins := map[string][]byte{}
	// ann enrolled beforehand (keys in the template); ben's token holds
	// keys made earlier but the template names him only (found at
	// genesis); cat's token is blank (her keys are made at genesis).
	for _, n := range names {
		info := hsmtest.NewTokenInfo(t)
		founders = append(founders, appliance.Presenter{Name: n, TokenURI: info.URI})
		pins[n] = info.UserPIN
		if n == "cat" {
			fmt.Fprintf(&b, "  - {name: %s, role: custodian}\n", n)
			continue
		}
		tok, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
		if err != nil {
			t.Fatal(err)
		}
		ak, err := tok.GenerateKey(appliance.ApprovalKeyLabel, hsm.ECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		sk, err := tok.GenerateAgreementKey(appliance.ShareKeyLabel)
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.Close(); err != nil {
			t.Fatal(err)
		}
		if n == "ben" {
			fmt.Fprintf(&b, "  - name: %s\n    role: custodian\n", n)
			continue
		}
		fmt.Fprintf(&b, "  - name: %s\n    role: custodian\n    approval_key: |\n      %s\n    share_key: |\n      %s\n", n, pem(t, ak.Public), pem(t, sk.Public))
	}
	b.WriteString(`quorum:
  key_generation: {threshold: 2, roles: [custodian]}
  release_signing: {threshold: 2, roles: [custodian]}
  key_revocation: {threshold: 2, roles: [custodian]}
  policy_change: {threshold: 3, roles: [custodian]}
keys:
  secure_boot:
    - {slot: 0, label: sbv2-slot0, algorithm: ecdsa-p256, status: planned, backup: true}
  release_bundle: {label: release-bundle, algorithm: ecdsa-p256, status: planned, backup: true}
  audit_mac: {label: audit-mac, algorithm: hmac-sha256, status: planned}
  audit_checkpoint: {label: audit-checkpoint, algorithm: ed25519, status: planned}
release:
  security_version: {monotonic: true, max: 16}
  vuln_gate: {block_at: high, block_in_triage: true, exploitable_needs_response: true, allow_unchecked: true}
  sbom: {required: true, min_spec_version: "1.5", require_hashes: false}
  max_feed_age: 7d
`)
	tmpl := []byte(b.String())
	audit := hsmtest.NewTokenInfo(t)
	pins[api.AuditPINKey] = audit.UserPIN
	root := filepath.Join(t.TempDir(), "ws")
	door, err := appliance.NewGenesisDoor(appliance.InitOptions{Root: root, Module: hsmtest.Module(),
		ApplianceLabel: "door-" + filepath.Base(filepath.Dir(root)), AuditToken: audit.URI,
		Founders: founders, Date: "2026-11-20", Now: func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }}, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	plan := door.Plan()
	if len(plan.Founders) != 3 || len(plan.Founders[0].ApprovalWords) != 32 || !strings.HasPrefix(plan.Founders[0].ShareKey, "sha256:") ||
		plan.Founders[0].Enrol || !plan.Founders[1].Enrol || !plan.Founders[2].Enrol || plan.Threshold != 2 || len(plan.Keys) != 4 {
		t.Fatalf("plan founders %+v threshold %d", plan.Founders, plan.Threshold)
	}

	wrong := map[string][]byte{}
	for k, v := range pins {
		wrong[k] = v
	}
	wrong["ben"] = []byte("not-bens-pin")
	_, err = door.Run(t.Context(), wrong)
	var h api.Hinter
	if !errors.Is(err, hsm.ErrPINIncorrect) || !errors.As(err, &h) || !strings.Contains(h.Hint(), "no appliance was made") {
		t.Fatalf("a wrong PIN: %v", err)
	}
	if !strings.Contains(h.Hint(), "ben's token: ") {
		t.Errorf("the hint does not say what ben's token reports of its PIN: %s", h.Hint())
	}
	if _, err := os.Stat(filepath.Join(root, appliance.ConfigName)); !errors.Is(err, os.ErrNotExist) || door.Made() {
		t.Fatalf("a wrong PIN left an appliance behind: %v", err)
	}

	res, err := door.Run(t.Context(), pins)
	if err != nil {
		t.Fatalf("genesis: %v", err)
	}
	log := strings.Join(res.PaperLog, "\n")
	for _, want := range []string{"founder ben enrolled (found on their token): approval key sha256:", "founder cat enrolled (made on their token)",
		"genesis policy door serial 1 " + res.PolicyDigest, "split 2 of 3 among ann ben cat",
		"key secure boot slot 0", "eFuse digest (slot 0) ", "key release bundle", "key audit MAC", "HSM anchor #1", "first audit checkpoint:"} {
		if !strings.Contains(log, want) {
			t.Errorf("paper log lacks %q:\n%s", want, log)
		}
	}
	if len(res.PolicyWords) != 32 || !door.Made() {
		t.Errorf("policy words %v, made %v", res.PolicyWords, door.Made())
	}
	for _, d := range []string{appliance.MediaInDir, appliance.MediaOutDir} {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
	if _, err := door.Run(t.Context(), pins); err == nil || !strings.Contains(err.Error(), "initialised once") {
		t.Errorf("a second genesis on the same workspace: %v", err)
	}
}

func pem(t *testing.T, pub any) string {
	t.Helper()
	b, err := envelope.MarshalPublicKeyPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n      ")
}
