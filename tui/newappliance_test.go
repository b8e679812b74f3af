package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"signbox/airgap/envelope"
	"signbox/appliance"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/hsm/softhsm"
	"signbox/policy"

	"github.com/charmbracelet/x/exp/teatest"
)

// newApplianceRuns keeps token labels unique when -count runs the test
// again in the same SoftHSM token directory.
var newApplianceRuns atomic.Int32

// newAppliance makes an appliance that is not the demo: three custodians
// enrol on fresh tokens of their own, appliance.Init makes the appliance
// token and the keys of a policy written here (Secure Boot slot 1 left
// planned), and the workspace is opened the way `signbox open` opens it.
// It returns the workspace, the custodians' names and the reopen func.
func newAppliance(t *testing.T) (string, []string, func(now time.Time) *appliance.Appliance) {
	t.Helper()
	d := sharedDemo(t) // only for its SoftHSM token directory
	dir, err := softhsm.NewDir(d.HSM(), softhsm.WithModule(d.Module))
	if err != nil {
		t.Fatal(err)
	}
	run := newApplianceRuns.Add(1)
	names := []string{fmt.Sprintf("dora%d", run), fmt.Sprintf("emil%d", run), fmt.Sprintf("finn%d", run)}
	var b strings.Builder
	b.WriteString("version: 1\nname: pump-appliance\nserial: 1\nproducts:\n  - {id: pump, chip: esp32c6}\ncustodians:\n")
	var founders []appliance.Presenter
	for _, n := range names {
		info, err := dir.InitToken(n, []byte(n+"-pin"), []byte(n+"-so"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := hsm.Open(info.URI, hsmtest.StaticPIN([]byte(n+"-pin")))
		if err != nil {
			t.Fatal(err)
		}
		ak, err := tok.GenerateKey("approval", hsm.ECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		sk, err := tok.GenerateAgreementKey("share")
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.Close(); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  - name: %s\n    role: custodian\n    approval_key: |\n      %s\n    share_key: |\n      %s\n", n, pemIndent(t, ak.Public), pemIndent(t, sk.Public))
		founders = append(founders, appliance.Presenter{Name: n, TokenURI: info.URI, PIN: hsmtest.StaticPIN([]byte(n + "-pin"))})
	}
	b.WriteString(`quorum:
  key_generation: {threshold: 2, roles: [custodian]}
  release_signing: {threshold: 2, roles: [custodian]}
  key_revocation: {threshold: 2, roles: [custodian]}
  policy_change: {threshold: 3, roles: [custodian]}
keys:
  secure_boot:
    - {slot: 0, label: sbv2-slot0, algorithm: ecdsa-p256, status: planned, backup: true}
    - {slot: 1, label: sbv2-slot1, algorithm: ecdsa-p256, status: planned, backup: true}
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
	opPIN := hsmtest.StaticPIN([]byte("op-pin"))
	audit, err := dir.InitToken(fmt.Sprintf("op%d", run), []byte("op-pin"), []byte("op-so"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "appliance")
	now := func() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }
	_, err = appliance.Init(appliance.InitOptions{Root: root, Module: d.Module, ApplianceLabel: fmt.Sprintf("appliance%d", run),
		AuditToken: audit.URI, AuditPIN: opPIN, Founders: founders, Date: "2026-11-22", Now: now,
		Keys: []appliance.KeySpec{{Label: "sbv2-slot0", Alg: hsm.ECDSAP256, Backup: true}, {Label: "release-bundle", Alg: hsm.ECDSAP256, Backup: true},
			{Label: "audit-mac", Alg: hsm.HMACSHA256, Audit: true}, {Label: "audit-checkpoint", Alg: hsm.Ed25519, Audit: true}},
		Policy: func(fps map[string]string) ([]byte, error) { return policy.Activate(tmpl, fps) },
	})
	if err != nil {
		t.Fatalf("init: %v", err)
	}
	open := func(at time.Time) *appliance.Appliance {
		a, err := appliance.Open(appliance.Config{Root: root, AuditPIN: opPIN, Operator: "operator", Now: func() time.Time { return at }})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	return root, names, open
}

func pemIndent(t *testing.T, pub any) string {
	t.Helper()
	b, err := envelope.MarshalPublicKeyPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n      ")
}

// TestTeaKeyGenOnNewAppliance: on an appliance made by appliance.Init
// from a policy of its own (not the demo), opened the way `signbox open`
// opens it (status screen first, media under WS/media), the operators
// start a key generation from Choose a ceremony; signbox is killed
// (ctrl+c, keep) after the first approval; restarted, the ceremony is
// resumed from the status screen, finished and exported to WS/media/out.
func TestTeaKeyGenOnNewAppliance(t *testing.T) {
	root, names, open := newAppliance(t)
	a := open(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	opts := Options{Date: "2026-11-22", MediaPath: filepath.Join(root, "media", "in"), ExportPath: filepath.Join(root, "media", "out"),
		Operator: "operator", NoColor: true, Start: ScreenHome, SpinAfter: SpinAfter}
	tm := teatest.NewTestModel(t, New(appliance.Engine{A: a}, opts), teatest.WithInitialTermSize(80, 24))
	ui := &session{t: t, tm: tm}
	ui.wait("Workspace and HSM status")
	ui.wait("locked, anchor #1")
	ui.press("enter")
	ui.wait("Choose a ceremony")
	ui.wait("Key generation") // the list has loaded: down moves on it
	ui.press("down", "enter")
	ui.wait("sbv2-slot1")
	ui.press("enter")
	ui.wait("Plan digest")
	ui.press("pgdown", "pgdown", "pgdown", "pgdown", "enter") // every page before "digest matches"
	ui.wait("Approvals 0 of 2")
	approve := func(ui *session, who, done string) {
		ui.press("enter")
		ui.wait(who + ": choose your token")
		ui.press("enter")
		ui.wait("PIN:")
		ui.typ(who + "-pin")
		ui.press("enter")
		ui.wait(done)
	}
	approve(ui, names[0], names[0]+" approved the plan")
	ui.press("ctrl+c")
	ui.wait("the plan and its 1 approval stay on disk")
	ui.press("k")
	first := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if !first.quitting {
		t.Fatal("ctrl+c, k did not quit")
	}
	if err := a.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	a = open(time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC))
	tm = teatest.NewTestModel(t, New(appliance.Engine{A: a}, opts), teatest.WithInitialTermSize(80, 24))
	ui = &session{t: t, tm: tm}
	ui.wait("Unfinished ceremonies (1)")
	ui.press("u")
	ui.wait("planned   1 of 2 approvals")
	ui.press("enter")
	ui.wait("share needed")
	approve(ui, names[0], names[0]+" presented their share")
	ui.press("down")
	approve(ui, names[1], names[1]+" approved the plan")
	ui.wait("Quorum reached")
	ui.press("c")
	ui.wait("Generate keys now?")
	ui.press("y")
	ui.wait("Every step completed")
	ui.press("enter")
	ui.wait("All checks passed")
	ui.press("enter")
	ui.wait("Media path:")
	ui.press("enter")
	ui.wait("Press y to write")
	ui.press("y")
	ui.wait("Ceremony complete")
	ui.press("ctrl+c")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(model)
	if fm.fl.plan.ID != first.fl.plan.ID || !fm.fl.executed {
		t.Fatalf("resumed plan %s (executed %v), kept plan %s", fm.fl.plan.ID, fm.fl.executed, first.fl.plan.ID)
	}
	// The new key's public half is on the outbound media, never inbound.
	out := filepath.Join(root, "media", "out")
	var found []string
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = append(found, strings.TrimPrefix(p, out))
		}
		return err
	})
	if err != nil || !strings.Contains(strings.Join(found, " "), "sbv2-slot1") {
		t.Fatalf("the new key is not on the outbound media %s: %v %v", out, found, err)
	}
}
