// Package anytoken puts the appliance on the token implementation
// SIGNBOX_TOKEN_IMPL selects (make test runs it on SoftHSM2 and on
// tpm2-pkcs11 over swtpm), and plans ceremonies on an appliance token that
// lacks what the policy needs. It is a package of its own because SoftHSM2
// reads its configuration once per process.
package anytoken

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"signbox/appliance"
	"signbox/audit"
	"signbox/ceremony"
	"signbox/demo"
	"signbox/demo/demotest"
	"signbox/device/emu"
	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/hsm/softhsm"
)

// TestAnyTokenApplianceInit initialises the demo appliance (custodian and
// audit tokens on SoftHSM2) with its appliance token from the selected
// implementation. What the token's probe says it lacks decides the
// outcome: a token with everything the appliance needs runs the demo's
// factory release through a ceremony onto the emulated device; a token
// lacking something is refused by name before any key is made.
// made is the SoftHSM2 demo workspace TestAnyTokenApplianceInit made, for
// the tests after it (one SoftHSM directory per process).
var made *demo.Demo

// dir outlives each test, so the next one can use the workspace.
var dir string

func TestMain(m *testing.M) {
	var err error
	if dir, err = os.MkdirTemp("", "signbox-anytoken-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestAnyTokenApplianceInit(t *testing.T) {
	hsmtest.Setup(t)
	root := filepath.Join(dir, "ws")
	t.Setenv("SOFTHSM2_CONF", demo.Layout{Root: root}.ConfPath())
	now := func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }
	d, err := demo.Setup(demo.Options{Root: root, Module: softhsm.DefaultModule, ApplianceModule: hsmtest.Module(),
		Date: "2026-11-20", Now: now})
	if err != nil {
		// Refused: only by name, and only for what a fresh token of the
		// same implementation is probed to lack.
		if !errors.Is(err, appliance.ErrTokenLacks) {
			t.Fatal(err)
		}
		lacking := lacks(hsmtest.NewToken(t))
		if lacking == "" || !strings.Contains(err.Error(), lacking) {
			t.Fatalf("the probe says the token lacks %q; Init said %v", lacking, err)
		}
		t.Logf("refused as it should be: %v", err)
		return
	}
	made = d
	dev, err := emu.Open(d.Device())
	if err != nil {
		t.Fatal(err)
	}
	if tr, err := dev.Boot(); err != nil || !tr.Booted() {
		t.Fatalf("the factory release does not boot: %v %+v", err, tr)
	}
}

// lacks names the first thing the demo appliance needs that tok lacks.
func lacks(tok *hsm.Token) string {
	for _, a := range []hsm.Algorithm{hsm.RSA3072, hsm.ECDSAP256} {
		if m := tok.Lacks(a); m != "" {
			return m
		}
	}
	for _, f := range tok.Features() {
		if !f.OK && f.Name != "key agreement" {
			return f.Name
		}
	}
	return ""
}

func clock() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

// TestPlanRefusedWhenTokenLacks plans ceremonies on a SoftHSM2 demo
// appliance whose token has lost the mechanisms its Secure Boot keys need,
// and checks each plan is refused early, by name, with an audit entry.
func TestPlanRefusedWhenTokenLacks(t *testing.T) {
	d := made // the workspace TestAnyTokenApplianceInit made, if it ran on SoftHSM2
	if d == nil || d.ApplianceModule != softhsm.DefaultModule {
		d = demotest.Workspace(t, "2026-11-21", clock)
	}
	t.Setenv("SOFTHSM2_CONF", d.ConfPath())
	// Every token of the setup is closed, so the module is finalised and
	// the next open reads the configuration again: take RSA-PSS and raw
	// RSA away (SoftHSM's deny list ignores its first name).
	conf, err := os.ReadFile(d.ConfPath())
	if err != nil {
		t.Fatal(err)
	}
	lacking := bytes.Replace(conf, []byte("slots.mechanisms = ALL"), []byte("slots.mechanisms = -,CKM_RSA_PKCS_PSS,CKM_RSA_X_509"), 1)
	if bytes.Equal(lacking, conf) {
		t.Fatalf("demo SoftHSM configuration has no slots.mechanisms = ALL:\n%s", conf)
	}
	if err := os.WriteFile(d.ConfPath(), lacking, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := d.Appliance(clock, "test operator")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	_, err = a.PlanKeyGeneration(ceremony.KeyGenInputs{Date: "2026-11-21"})
	want := `keys.secure_boot[0] "sbv2-slot0" (rsa-3072) needs CKM_RSA_PKCS_PSS or CKM_RSA_X_509`
	if !errors.Is(err, appliance.ErrTokenLacks) || !strings.Contains(err.Error(), want) {
		t.Fatalf("key generation plan on a token without RSA-PSS: %v", err)
	}
	if _, err := a.PlanReleaseMedia(d.Request(), "2026-11-21"); !errors.Is(err, appliance.ErrTokenLacks) {
		t.Fatalf("release plan on a token without RSA-PSS: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"key-generation", "release"} {
		if got := demotest.Entries(t, d, audit.CeremonyRefused, "step=plan", "kind="+kind, "reason="+want); len(got) != 1 {
			t.Errorf("%s refusal: %d audit entries", kind, len(got))
		}
	}
}
