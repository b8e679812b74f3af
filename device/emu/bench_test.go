package emu

import (
	"testing"

	"signbox/device/esp"
)

// benchLayout has 5 MiB slots so a 4 MiB image fits.
var benchLayout = Layout{SlotSize: 0x500000}

const benchImageSize = 4<<20 - SectorSize // signed: exactly 4 MiB

func benchDevice(b *testing.B) (*Device, []byte) {
	b.Helper()
	cfg := testConfig(b)
	cfg.Layout = benchLayout
	res, err := Provision(cfg)
	if err != nil {
		b.Fatal(err)
	}
	mustBoot(b, res.Device, 0)
	big := build(b, img{kind: esp.KindApp, sv: 2, version: "2.0.0", size: benchImageSize, signers: []int{0}})
	if len(big) != 4<<20 {
		b.Fatalf("signed image is %d bytes, want 4 MiB", len(big))
	}
	return res.Device, big
}

// BenchmarkInstallBoot4MiB: install a signed 4 MiB app (checks, erase,
// program, read-back hash, otadata) and boot it (ROM + bootloader checks).
func BenchmarkInstallBoot4MiB(b *testing.B) {
	base, big := benchDevice(b)
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		b.StopTimer()
		d := base.Clone()
		b.StartTimer()
		if _, err := d.Install(AppImage(big)); err != nil {
			b.Fatal(err)
		}
		if tr, err := d.Boot(); err != nil || tr.Slot != 1 {
			b.Fatalf("boot: %v\n%s", err, tr)
		}
	}
}

// BenchmarkVerify4MiB is the reference the install+boot figure is compared
// with: one signature check of the same image by device/esp, in-process.
func BenchmarkVerify4MiB(b *testing.B) {
	d, big := benchDevice(b)
	digests, revoked := d.trust(-1)
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		if _, err := esp.VerifyDigests(big, digests, revoked); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPowerCutSweep runs every sweep scenario: each write of the good
// run cut cleanly and torn, followed by a recovery boot and the invariants.
func BenchmarkPowerCutSweep(b *testing.B) {
	scs := sweepScenarios(b)
	runs := 0
	for b.Loop() {
		runs = 0
		for _, sc := range scs {
			runs += sweep(b, sc)
		}
	}
	b.ReportMetric(float64(runs), "cut-runs/op")
}
