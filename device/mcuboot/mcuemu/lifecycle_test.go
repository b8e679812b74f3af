package mcuemu

import (
	"bytes"
	"crypto"
	"errors"
	"testing"
)

func TestFactoryBootRaisesCounter(t *testing.T) {
	d := newDevice(t, SwapMove)
	if d.SecurityCounter() != 1 {
		t.Fatalf("counter %d after the first boot, want 1", d.SecurityCounter())
	}
}

func TestTestUpgradeConfirmed(t *testing.T) {
	f := getFixture(t)
	d := newDevice(t, SwapMove)
	if err := d.Install(f.v2, false); err != nil {
		t.Fatal(err)
	}
	if tr := d.TrailerOf("secondary"); !tr.MagicGood || tr.ImageOK || tr.SwapType != SwapTest {
		t.Fatalf("secondary trailer after a test install: %+v", tr)
	}
	tr := mustBoot(t, d, 2)
	if tr.Swap != SwapTest || d.SecurityCounter() != 1 {
		t.Fatalf("%s; counter %d: a test swap must not raise it", tr, d.SecurityCounter())
	}
	// The old image sits in the secondary slot, for the revert.
	if !bytes.Equal(d.SlotImage("secondary")[:len(f.v1)], f.v1) {
		t.Fatal("secondary slot does not hold 1.0.0 after the swap")
	}
	if err := d.Install(f.v3, false); !errors.Is(err, ErrUnconfirmed) {
		t.Fatalf("install over the revert image: %v, want ErrUnconfirmed", err)
	}
	if err := d.Confirm(); err != nil {
		t.Fatal(err)
	}
	tr = mustBoot(t, d, 2)
	if tr.Swap != SwapNone || d.SecurityCounter() != 2 {
		t.Fatalf("%s; counter %d, want none and 2", tr, d.SecurityCounter())
	}
}

func TestTestUpgradeReverts(t *testing.T) {
	f := getFixture(t)
	d := newDevice(t, SwapMove)
	if err := d.Install(f.v2, false); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 2)
	tr := mustBoot(t, d, 1)
	if tr.Swap != SwapRevert || d.SecurityCounter() != 1 {
		t.Fatalf("%s; counter %d, want revert and 1", tr, d.SecurityCounter())
	}
	tr = mustBoot(t, d, 1)
	if tr.Swap != SwapNone {
		t.Fatalf("after the revert: %s", tr)
	}
	// The reverted image may take a new upgrade.
	if err := d.Install(f.v2, true); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 2)
}

func TestPermanentUpgrade(t *testing.T) {
	f := getFixture(t)
	d := newDevice(t, SwapMove)
	if err := d.Install(f.v2, true); err != nil {
		t.Fatal(err)
	}
	if tr := mustBoot(t, d, 2); tr.Swap != SwapPerm || d.SecurityCounter() != 2 {
		t.Fatalf("%s; counter %d", tr, d.SecurityCounter())
	}
	if tr := mustBoot(t, d, 2); tr.Swap != SwapNone {
		t.Fatalf("second boot after a permanent upgrade: %s", tr)
	}
}

func TestOverwriteOnly(t *testing.T) {
	f := getFixture(t)
	d := newDevice(t, OverwriteOnly)
	if err := d.Install(f.v2, false); err != nil {
		t.Fatal(err)
	}
	// Overwrite-only: test or permanent, no revert; the counter goes up.
	if tr := mustBoot(t, d, 2); tr.Swap != swapOverwrite || d.SecurityCounter() != 2 {
		t.Fatalf("%s; counter %d", tr, d.SecurityCounter())
	}
	mustBoot(t, d, 2)
}

// TestCandidateRefused: an image from an unknown key, a tampered one and
// one below the hardware counter are erased by the bootloader; the
// device keeps booting what it had. In both modes.
func TestCandidateRefused(t *testing.T) {
	f := getFixture(t)
	tampered := bytes.Clone(f.v2)
	tampered[0x300] ^= 1
	for _, mode := range []Mode{SwapMove, OverwriteOnly} {
		for _, c := range []struct {
			name string
			img  []byte
			want string
		}{
			{"foreign key", f.foreign, "unknown key"},
			{"tampered", tampered, "hash mismatch"},
		} {
			t.Run(mode.String()+"/"+c.name, func(t *testing.T) {
				d := newDevice(t, mode)
				if err := d.Install(c.img, true); err != nil {
					t.Fatal(err)
				}
				tr := mustBoot(t, d, 1)
				if tr.Swap != SwapFail || !bytes.Contains([]byte(tr.Refused), []byte(c.want)) {
					t.Fatalf("%s, want a refusal naming %q", tr, c.want)
				}
				if d.TrailerOf("secondary").MagicGood {
					t.Fatal("refused candidate's trailer is still there")
				}
				mustBoot(t, d, 1)
			})
		}
	}
}

// TestDowngradeRefused: with the counter at 3, an image with SEC_CNT 2
// (signed by the right key) is refused before any swap or copy.
func TestDowngradeRefused(t *testing.T) {
	f := getFixture(t)
	for _, mode := range []Mode{SwapMove, OverwriteOnly} {
		t.Run(mode.String(), func(t *testing.T) {
			d := newDevice(t, mode)
			if err := d.Install(f.v3, true); err != nil {
				t.Fatal(err)
			}
			mustBoot(t, d, 3)
			if d.SecurityCounter() != 3 {
				t.Fatalf("counter %d", d.SecurityCounter())
			}
			if err := d.Install(f.v2, true); err != nil {
				t.Fatal(err)
			}
			tr := mustBoot(t, d, 3)
			if tr.Swap != SwapFail || !bytes.Contains([]byte(tr.Refused), []byte("security counter below the floor")) {
				t.Fatalf("%s", tr)
			}
		})
	}
}

// TestEqualCounterAccepted: bootutil accepts an image whose SEC_CNT equals
// the stored counter (mcuboot-formats.md §4).
func TestEqualCounterAccepted(t *testing.T) {
	f := getFixture(t)
	d := newDevice(t, SwapMove)
	same := signImage(t, f.key, 4, 1, 5000) // version 4.0.0, SEC_CNT 1
	if err := d.Install(same, true); err != nil {
		t.Fatal(err)
	}
	mustBoot(t, d, 4)
}

func TestNoBootableImage(t *testing.T) {
	f := getFixture(t)
	d, err := New(Config{Layout: testLayout, Mode: SwapMove, Keys: []crypto.PublicKey{loadKey(t, "ed25519").Public()}, Factory: f.v1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Boot(); !errors.Is(err, ErrNoBootableImage) {
		t.Fatalf("boot with a primary image from another key: %v", err)
	}
	if err := d.Install(f.v2, true); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("install on a device that did not boot: %v", err)
	}
}

func TestInstallRefusals(t *testing.T) {
	f := getFixture(t)
	d := newDevice(t, SwapMove)
	big := signImage(t, f.key, 5, 5, testLayout.MaxImageSize())
	if err := d.Install(big, true); !errors.Is(err, ErrImageTooLarge) {
		t.Fatalf("oversized image: %v", err)
	}
	if err := d.Install(f.v2[:100], true); err == nil {
		t.Fatal("truncated image accepted")
	}
	w := d.Power().Writes()
	if err := d.Install(append(bytes.Clone(f.v2), 0), true); err == nil {
		t.Fatal("image with trailing garbage accepted")
	}
	if d.Power().Writes() != w {
		t.Fatal("a refused install wrote to flash")
	}
}

// TestTrailerBytes pins the trailer to mcuboot-formats.md §3 (max_align
// 8): after a permanent install the secondary slot ends with image_ok
// 0x01 at S-24, swap_info 0x03 at S-40 and the magic at S-16; after the
// swap the primary has copy_done and image_ok set and swap_size at S-48.
func TestTrailerBytes(t *testing.T) {
	f := getFixture(t)
	d := newDevice(t, SwapMove)
	if err := d.Install(f.v2, true); err != nil {
		t.Fatal(err)
	}
	sec := d.SlotImage("secondary")
	S := len(sec)
	ff := func(n int) []byte { return bytes.Repeat([]byte{0xFF}, n) }
	want := append(append(append(append([]byte{0x03}, ff(7)...), ff(8)...), append([]byte{0x01}, ff(7)...)...),
		0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80)
	if !bytes.Equal(sec[S-40:], want) {
		t.Fatalf("secondary trailer\n got % x\nwant % x", sec[S-40:], want)
	}
	mustBoot(t, d, 2)
	pri := d.SlotImage("primary")
	P := len(pri)
	if pri[P-24] != 0x01 || pri[P-32] != 0x01 || pri[P-40] != 0x03 || !bytes.Equal(pri[P-16:], want[24:]) {
		t.Fatalf("primary trailer % x", pri[P-48:])
	}
	if got := int(pri[P-48]) | int(pri[P-47])<<8; got != 3*4096 {
		t.Fatalf("swap_size %d, want 3 sectors", got)
	}
	if !bytes.Equal(d.SlotImage("secondary")[S-4096:], ff(4096)) {
		t.Fatal("secondary trailer sector not erased after the swap")
	}
}
