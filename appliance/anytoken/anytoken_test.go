// Package anytoken puts the appliance on the token implementation
// SIGNBOX_TOKEN_IMPL selects (make test runs it on SoftHSM2 and on
// tpm2-pkcs11 over swtpm). It is a package of its own because SoftHSM2
// reads its configuration once per process.
package anytoken

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"signbox/appliance"
	"signbox/demo"
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
func TestAnyTokenApplianceInit(t *testing.T) {
	hsmtest.Setup(t)
	root := filepath.Join(t.TempDir(), "ws")
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
