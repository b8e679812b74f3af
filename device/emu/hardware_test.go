package emu

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"signbox/device/esp"
)

func TestFlashNOR(t *testing.T) {
	p := &Power{}
	f := newFlash(4*SectorSize, p)
	if err := f.Program(0, []byte{0xF0, 0x0F}); err != nil {
		t.Fatal(err)
	}
	// Programming only clears bits: 0xF0 -> 0x30 is fine, 0x30 -> 0x31 is not.
	if err := f.Program(0, []byte{0x30}); err != nil {
		t.Fatal(err)
	}
	err := f.Program(0, []byte{0x31})
	if !errors.Is(err, ErrNotErased) {
		t.Fatalf("program over unerased flash: %v", err)
	}
	if err := f.Erase(0, SectorSize); err != nil {
		t.Fatal(err)
	}
	if b, _ := f.Read(0, 2); !bytes.Equal(b, []byte{0xFF, 0xFF}) {
		t.Fatalf("erase left %x", b)
	}
	if err := f.Erase(100, SectorSize); err == nil {
		t.Fatal("unaligned erase accepted")
	}
	if _, err := f.Read(3*SectorSize, 2*SectorSize); err == nil {
		t.Fatal("read past the end accepted")
	}
	if got := p.Writes(); got != 3 {
		t.Fatalf("writes %d, want 3 (two programs, one erase; the refused program is not a write)", got)
	}
}

func TestTornWrites(t *testing.T) {
	p := &Power{}
	f := newFlash(2*SectorSize, p)
	data := bytes.Repeat([]byte{0x00}, 64)
	p.CutAt(1, true)
	mustIs(t, f.Program(0, data), ErrPowerCut)
	if b, _ := f.Read(0, 64); !bytes.Equal(b[:32], data[:32]) || !bytes.Equal(b[32:], bytes.Repeat([]byte{0xFF}, 32)) {
		t.Fatalf("torn program left %x", b)
	}
	// Power stays off until a reset: nothing else lands.
	mustIs(t, f.Erase(0, SectorSize), ErrPowerCut)
	if b, _ := f.Read(0, 1); b[0] != 0 {
		t.Fatal("write after the cut landed")
	}
	p.on()
	p.CutAt(1, true)
	mustIs(t, f.Erase(0, SectorSize), ErrPowerCut)
	if b, _ := f.Read(0, SectorSize); b[0] != 0xFF || b[SectorSize-1] != 0xFF {
		t.Fatalf("torn erase: first byte %x, last %x", b[0], b[SectorSize-1])
	}
	p.on()
	p.CutAt(1, false)
	mustIs(t, f.Program(0, []byte{0}), ErrPowerCut)
	if b, _ := f.Read(0, 1); b[0] != 0xFF {
		t.Fatal("a write cut before it started landed")
	}
}

func TestEFuses(t *testing.T) {
	p := &Power{}
	e := newEFuses(testChip, p)
	if err := e.RaiseSecureVersion(3); err != nil {
		t.Fatal(err)
	}
	if e.SecureVersion() != 3 || e.secVerField() != 0b111 {
		t.Fatalf("thermometer %b", e.secVerField())
	}
	mustIs(t, e.BurnSecureVersionField(0b011), ErrEFuseClearBit)
	if err := e.RaiseSecureVersion(e.SecureVersionBits() + 1); err == nil {
		t.Fatal("secure version past the field accepted")
	}
	if err := e.RaiseSecureVersion(3); err != nil {
		t.Fatal("equal secure version must be a no-op")
	}
	var d [32]byte
	d[0] = 0xAA
	if err := e.BurnKeyDigest(1, d); err != nil {
		t.Fatal(err)
	}
	mustIs(t, e.BurnKeyDigest(1, d), ErrKeySlotUsed)
	if err := e.BurnRevoke(1); err != nil {
		t.Fatal(err)
	}
	if len(e.TrustedKeys()) != 0 {
		t.Fatal("revoked key still trusted")
	}
	if err := e.BurnFlags(SecureBootEn); err != nil {
		t.Fatal(err)
	}
	if !e.Flag(SecureBootEn) || e.Flag(DisPadJTAG) {
		t.Fatal("flags wrong")
	}
	// A torn burn of several new bits lands some, never clears any.
	p.CutAt(1, true)
	mustIs(t, e.BurnFlags(DisPadJTAG|DisUSBJTAG|DisDownloadMode), ErrPowerCut)
	if !e.Flag(SecureBootEn) || !e.Flag(DisPadJTAG) || e.Flag(DisDownloadMode) {
		t.Fatalf("torn burn left flags %08b", e.bits[offFlags])
	}
}

func TestStateDirRoundTrip(t *testing.T) {
	dir := t.TempDir() + "/dev"
	res, err := ProvisionDir(dir, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ProvisionDir(dir, testConfig(t)); err == nil {
		t.Fatal("provisioning over an existing device accepted")
	}
	d := res.Device
	mustBoot(t, d, 0)
	if err := d.Save(); err != nil {
		t.Fatal(err)
	}
	d2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Running() != 0 || d2.Chip() != testChip || d2.EFuses().bits != d.EFuses().bits || !bytes.Equal(d2.flash.mem, d.flash.mem) {
		t.Fatal("reopened device differs")
	}
	if _, err := d2.Install(AppImage(app(t, 2, "2.0.0"))); err != nil {
		t.Fatal(err)
	}
	if err := d2.Save(); err != nil {
		t.Fatal(err)
	}
	d3, _ := Open(dir)
	mustBoot(t, d3, 1)
}

// TestEFuseFileV1Migrates: a state file from before the 32-bit
// SECURE_VERSION field (SBXEFUS1) still opens, with every bit in place.
func TestEFuseFileV1Migrates(t *testing.T) {
	b, err := os.ReadFile("testdata/efuse/v1-provisioned.bin")
	if err != nil {
		t.Fatal(err)
	}
	chip, bits, err := parseEFuses(b)
	if err != nil {
		t.Fatal(err)
	}
	e := &EFuses{bits: bits, chip: esp.Chip(chip)}
	if esp.Chip(chip) != testChip || !e.Flag(SecureBootEn) || !e.Flag(DisPadJTAG) || e.SecureVersion() != 3 {
		t.Fatalf("migrated: chip %d, flags %08b, secure version %d", chip, bits[offFlags], e.SecureVersion())
	}
}
