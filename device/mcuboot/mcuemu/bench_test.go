package mcuemu

import (
	"crypto"
	"testing"

	"signbox/device/mcuboot"
)

// benchLayout: 4 KiB sectors, 8-byte writes, 128 image sectors (512 KiB),
// the BOOT_MAX_IMG_SECTORS default, like an nRF52840 application slot.
var benchLayout = Layout{SectorSize: 4096, WriteSize: 8, ImageSectors: 128}

const benchImageSize = 480 << 10

func benchDevice(b *testing.B, mode Mode) (*Device, []byte) {
	b.Helper()
	k := loadKey(b, "p256")
	v1 := signImage(b, k, 1, 1, benchImageSize)
	v2 := signImage(b, k, 2, 2, benchImageSize)
	d, err := New(Config{Layout: benchLayout, Mode: mode, Keys: []crypto.PublicKey{k.Public()}, Factory: v1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Boot(); err != nil {
		b.Fatal(err)
	}
	return d, v2
}

// benchUpgrade: install a signed 480 KiB image and boot it (validation of
// the candidate, the swap or copy, validation of the primary) on a fresh
// clone with a cold verification cache, so both checks are paid in full.
func benchUpgrade(b *testing.B, mode Mode) {
	base, v2 := benchDevice(b, mode)
	b.SetBytes(int64(len(v2)))
	for b.Loop() {
		b.StopTimer()
		d := base.Clone()
		d.verified = newVerifyCache() // cold: every signature checked
		b.StartTimer()
		if err := d.Install(v2, false); err != nil {
			b.Fatal(err)
		}
		if tr, err := d.Boot(); err != nil || tr.Version.Major != 2 {
			b.Fatalf("boot: %v\n%s", err, tr)
		}
	}
}

// BenchmarkSwapMoveUpgrade480KiB: install + test swap (move 120 sectors up,
// swap 120 pairs, 360 status writes) + boot.
func BenchmarkSwapMoveUpgrade480KiB(b *testing.B) { benchUpgrade(b, SwapMove) }

// BenchmarkOverwriteUpgrade480KiB: install + overwrite copy + boot.
func BenchmarkOverwriteUpgrade480KiB(b *testing.B) { benchUpgrade(b, OverwriteOnly) }

// BenchmarkVerify480KiB is the reference: one device/mcuboot Verify of the
// same image in the same process.
func BenchmarkVerify480KiB(b *testing.B) {
	k := loadKey(b, "p256")
	v2 := signImage(b, k, 2, 2, benchImageSize)
	b.SetBytes(int64(len(v2)))
	for b.Loop() {
		if _, err := mcuboot.Verify(v2, k.Public(), mcuboot.VerifyOptions{MinSecurityCounter: 2}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPowerCutSweep runs every sweep scenario on both layouts: each
// write of the good run cut cleanly and torn, a reset, the invariants
// (with the standard library's check of the booted image) and convergence.
func BenchmarkPowerCutSweep(b *testing.B) {
	var scs []scenario
	for _, l := range []Layout{testLayout, smallLayout} {
		scs = append(scs, sweepScenarios(b, l)...)
	}
	runs := 0
	for b.Loop() {
		runs = 0
		for _, sc := range scs {
			runs += sweep(b, sc)
		}
	}
	b.ReportMetric(float64(runs), "cut-runs/op")
}
