package emu

import (
	"strings"
	"testing"
)

func TestFirstBootInitialisesOtadataAndRaisesFloor(t *testing.T) {
	res, err := Provision(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	d := res.Device
	if got := d.EFuses().SecureVersion(); got != 0 {
		t.Fatalf("eFuse secure version after provisioning %d, want 0", got)
	}
	tr := mustBoot(t, d, 0)
	if tr.SecureVersion != 1 {
		t.Fatalf("eFuse after first boot %d, want 1\n%s", tr.SecureVersion, tr)
	}
	for _, want := range []string{"bootloader verified", "otadata blank or corrupt", "running 1.0.0"} {
		if !strings.Contains(tr.String(), want) {
			t.Errorf("trace lacks %q:\n%s", want, tr)
		}
	}
}

func TestUpdateConfirm(t *testing.T) {
	d := booted(t)
	r, err := d.Install(AppImage(app(t, 2, "2.0.0")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Slot != 1 || r.Seq != 2 || r.OTAEntry != 1 {
		t.Fatalf("install result %+v", r)
	}
	tr := mustBoot(t, d, 1)
	if !strings.Contains(tr.String(), "NEW -> PENDING_VERIFY") {
		t.Errorf("trace:\n%s", tr)
	}
	if got := d.EFuses().SecureVersion(); got != 1 {
		t.Fatalf("eFuse raised before confirm: %d", got)
	}
	c, err := d.Confirm()
	if err != nil {
		t.Fatal(err)
	}
	if c.EFuseBefore != 1 || c.EFuseAfter != 2 {
		t.Fatalf("confirm %+v", c)
	}
	mustBoot(t, d, 1)
	mustBoot(t, d, 1)
}

func TestUnconfirmedUpdateRevertsAfterOneReset(t *testing.T) {
	d := booted(t)
	if _, err := d.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	tr := mustBoot(t, d, 0)
	if !strings.Contains(tr.String(), "ABORTED") {
		t.Errorf("trace:\n%s", tr)
	}
	if got := d.EFuses().SecureVersion(); got != 1 {
		t.Fatalf("eFuse %d after revert, want 1", got)
	}
	mustIs(t, func() error { _, err := d.Confirm(); return err }(), nil)
}

func TestReject(t *testing.T) {
	d := booted(t)
	if _, err := d.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	tr, err := d.Reject()
	if err != nil {
		t.Fatal(err)
	}
	if tr.Slot != 0 {
		t.Fatalf("after reject booted %d\n%s", tr.Slot, tr)
	}
	// A second update goes into slot 1 again and converges.
	if _, err := d.Install(AppImage(app(t, 3, "3.0.0"))); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	if _, err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	if got := d.EFuses().SecureVersion(); got != 3 {
		t.Fatalf("eFuse %d, want 3", got)
	}
}

func TestRejectWithoutFallback(t *testing.T) {
	d := booted(t)
	_, err := d.Reject()
	mustIs(t, err, ErrRollbackImpossible)
	mustBoot(t, d, 0)
}
