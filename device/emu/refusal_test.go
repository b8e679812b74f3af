package emu

import (
	"errors"
	"strings"
	"testing"

	"signbox/device/esp"
)

// Every refusal names its reason, writes nothing, and the device keeps
// booting the app it had.
func TestInstallRefusals(t *testing.T) {
	tampered := app(t, 2, "2.0.0")
	tampered[0x200] ^= 0x01
	cases := []struct {
		name  string
		prep  func(t *testing.T, d *Device)
		image func(t *testing.T) []byte
		want  []error
	}{
		{"unsigned", nil, func(t *testing.T) []byte { return build(t, img{kind: esp.KindApp, sv: 2}) },
			[]error{ErrSignature, esp.ErrNotSigned}},
		{"wrong key", nil, func(t *testing.T) []byte { return app(t, 2, "2.0.0", 3) },
			[]error{ErrSignature, esp.ErrUntrustedKey}},
		{"revoked key", func(t *testing.T, d *Device) {
			if _, err := d.RevokeKey(2); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T) []byte { return app(t, 2, "2.0.0", 2) },
			[]error{ErrSignature, esp.ErrRevokedKey}},
		{"tampered", nil, func(*testing.T) []byte { return tampered }, []error{ErrSignature}},
		{"downgrade", nil, func(t *testing.T) []byte { return app(t, 0, "0.9.0") }, []error{ErrDowngrade}},
		{"wrong chip", nil, func(t *testing.T) []byte {
			return build(t, img{kind: esp.KindApp, chip: esp.ESP32H2, sv: 2, signers: []int{0}})
		}, []error{ErrWrongChip}},
		{"larger than slot", nil, func(t *testing.T) []byte {
			return build(t, img{kind: esp.KindApp, sv: 2, size: 70 << 10, signers: []int{0}})
		}, []error{ErrTooLarge}},
		{"bootloader as app", nil, func(t *testing.T) []byte { return bootloaderImage(t) }, []error{ErrWrongKind}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := booted(t)
			if c.prep != nil {
				c.prep(t, d)
			}
			before := d.Power().Writes()
			_, err := d.Install(AppImage(c.image(t)))
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("error %v, want %v", err, w)
				}
			}
			if d.Power().Writes() != before {
				t.Errorf("a refused install wrote %d times", d.Power().Writes()-before)
			}
			mustBoot(t, d, 0)
		})
	}
}

// confirmedV2 is a device whose slot 1 runs 2.0.0, confirmed (eFuse 2),
// with 1.0.0 still in slot 0.
func confirmedV2(t testing.TB) *Device {
	d := booted(t)
	if _, err := d.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	if _, err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	return d
}

func corrupt(d *Device, off int) { d.flash.mem[off] ^= 0xFF }

func TestCorruptionAtBoot(t *testing.T) {
	entryCRC := func(i int) int { return otadataOffset + i*SectorSize + 28 }
	cases := []struct {
		name     string
		damage   func(d *Device)
		wantSlot int
		wantErr  error
	}{
		{"otadata sector 0", func(d *Device) { corrupt(d, entryCRC(0)) }, 1, nil},
		{"otadata sector 1", func(d *Device) { corrupt(d, entryCRC(1)) }, 1, nil},
		{"otadata both sectors", func(d *Device) { corrupt(d, entryCRC(0)); corrupt(d, entryCRC(1)) }, 1, nil},
		{"otadata both erased", func(d *Device) {
			for i := otadataOffset; i < otadataOffset+otadataSize; i++ {
				d.flash.mem[i] = 0xFF
			}
		}, 1, nil},
		{"active slot tampered", func(d *Device) { corrupt(d, firstAppOffset+testLayout.SlotSize+0x300) }, -1, ErrNoBootableApp},
		{"partition table", func(d *Device) { corrupt(d, PartitionTableOffset+40) }, -1, ErrPartitionTable},
		{"bootloader", func(d *Device) { corrupt(d, BootloaderOffset+0x100) }, -1, ErrBootloaderRejected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := confirmedV2(t)
			c.damage(d)
			tr, err := d.Boot()
			if c.wantErr != nil {
				mustIs(t, err, c.wantErr)
				if tr.Booted() {
					t.Fatalf("booted despite %s:\n%s", c.name, tr)
				}
				return
			}
			if err != nil || tr.Slot != c.wantSlot {
				t.Fatalf("boot: slot %d, %v\n%s", tr.Slot, err, tr)
			}
			// It keeps booting, and the floor holds: 1.0.0 never boots.
			tr = mustBoot(t, d, c.wantSlot)
			if tr.SecureVersion != 2 {
				t.Fatalf("eFuse %d, want 2", tr.SecureVersion)
			}
		})
	}
}

// With the floor still at 1, a tampered new slot falls back to the old app.
func TestTamperedUpdateFallsBack(t *testing.T) {
	d := booted(t)
	if _, err := d.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	corrupt(d, firstAppOffset+testLayout.SlotSize+0x300)
	tr := mustBoot(t, d, 0)
	if tr.App.Version != "1.0.0" {
		t.Fatalf("trace:\n%s", tr)
	}
}

func TestEFuseBurnThatWouldClearABit(t *testing.T) {
	d := confirmedV2(t)
	before := d.EFuses().bits
	mustIs(t, d.EFuses().BurnSecureVersionField(0x0001), ErrEFuseClearBit)
	if err := d.EFuses().RaiseSecureVersion(1); err == nil {
		t.Fatal("lowering the secure version was accepted")
	}
	if d.EFuses().bits != before {
		t.Fatal("a refused burn changed the eFuses")
	}
	mustIs(t, d.EFuses().BurnKeyDigest(0, [32]byte{1}), ErrKeySlotUsed)
	mustBoot(t, d, 1)
}

func TestRevoke(t *testing.T) {
	t.Run("key the bootloader and app need", func(t *testing.T) {
		d := booted(t)
		// The app is signed by key 0 only: revoking 0 would brick it.
		_, err := d.RevokeKey(0)
		mustIs(t, err, ErrRevokeUnsafe)
		if d.EFuses().Revoked(0) {
			t.Fatal("revoked anyway")
		}
	})
	t.Run("rotate to key 1 first", func(t *testing.T) {
		d := booted(t)
		if _, err := d.Install(AppImage(app(t, 2, "2.0.0", 1))); err != nil {
			t.Fatal(err)
		}
		mustBoot(t, d, 1)
		if _, err := d.Confirm(); err != nil {
			t.Fatal(err)
		}
		r, err := d.RevokeKey(0)
		if err != nil {
			t.Fatal(err)
		}
		// ota_0 (secure_version 1) was already below the floor of 2.
		if len(r.LostFallback) != 0 {
			t.Fatalf("lost fallback %v", r.LostFallback)
		}
		mustBoot(t, d, 1)
		_, err = d.Install(AppImage(app(t, 3, "3.0.0", 0)))
		mustIs(t, err, esp.ErrRevokedKey)
	})
}

func TestRevokeReportsLostFallback(t *testing.T) {
	d := booted(t)
	// Same secure_version, new key: ota_0 stays above the floor.
	if _, err := d.Install(AppImage(app(t, 1, "1.1.0", 1))); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 1)
	_, err := d.RevokeKey(0)
	mustIs(t, err, ErrRevokeUnsafe) // not confirmed yet
	if _, err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	r, err := d.RevokeKey(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.LostFallback) != 1 || r.LostFallback[0] != "ota_0" {
		t.Fatalf("lost fallback %v", r.LostFallback)
	}
	mustBoot(t, d, 1)
}

// The installer never writes the partition table; when the table in flash
// is damaged every app-side operation refuses before writing anything.
func TestCorruptPartitionTableRefusesOperations(t *testing.T) {
	d := booted(t)
	corrupt(d, PartitionTableOffset+40)
	before := d.Power().Writes()
	_, err := d.Install(AppImage(app(t, 2, "2.0.0")))
	mustIs(t, err, ErrPartitionTable)
	_, err = d.Confirm()
	mustIs(t, err, ErrPartitionTable)
	_, err = d.Reject()
	mustIs(t, err, ErrPartitionTable)
	_, err = d.RevokeKey(2)
	mustIs(t, err, ErrPartitionTable)
	if d.Power().Writes() != before {
		t.Fatal("an operation wrote despite the bad partition table")
	}
	if s := d.Status(); !strings.Contains(s.PartitionTable, "MD5 mismatch") {
		t.Fatalf("status partition table: %q", s.PartitionTable)
	}
}
