package emu

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"signbox/device/esp"
)

// Sentinel eFuse errors.
var (
	// ErrEFuseClearBit reports a burn whose value lacks a bit that is
	// already 1: eFuse bits only go from 0 to 1.
	ErrEFuseClearBit = errors.New("eFuse bits cannot be cleared")
	// ErrKeySlotUsed reports a key digest burn into a slot that already
	// holds one (espefuse write-protects a key block once burned).
	ErrKeySlotUsed = errors.New("eFuse key slot already burned")
	// ErrNoSuchEFuse reports a field the device's chip does not have
	// (revoke bits on ESP32, a second key slot on ESP32-C2, ...).
	ErrNoSuchEFuse = errors.New("the chip has no such eFuse")
)

// KeySlots is the most Secure Boot V2 key digest slots any chip has
// (SOC_EFUSE_REVOKE_BOOT_KEY_DIGESTS: S2, S3, C3, C6...); ESP32 and
// ESP32-C2 have one (esp.Chip.KeySlots).
const KeySlots = 3

// Flag is a one-bit eFuse. Its name depends on the chip (esp.EFuseNames).
type Flag uint8

// The one-bit eFuses the emulator models.
const (
	SecureBootEn           Flag = 1 << iota // SECURE_BOOT_EN; ESP32 ABS_DONE_1
	DisPadJTAG                              // DIS_PAD_JTAG; ESP32 JTAG_DISABLE, ESP32-S2 HARD_DIS_JTAG
	DisUSBJTAG                              // DIS_USB_JTAG; not on ESP32, S2, C2
	DisDownloadMode                         // DIS_DOWNLOAD_MODE; ESP32 UART_DOWNLOAD_DIS
	EnableSecurityDownload                  // ENABLE_SECURITY_DOWNLOAD; not on ESP32
)

// eFuse array layout (the emulator's own; a chip spreads these over
// several blocks): byte 0 flags, byte 1 key revoke bits, byte 2 key purpose
// bits (slot i holds SECURE_BOOT_DIGESTi), bytes 3-6 SECURE_VERSION (32
// bits, of which the chip uses esp.Chip.SecureVersionBits), then three
// 32-byte key blocks.
const (
	offFlags   = 0
	offRevoke  = 1
	offPurpose = 2
	offSecVer  = 3
	secVerSize = 4
	offKeys    = offSecVer + secVerSize
	efuseSize  = offKeys + KeySlots*32
)

// EFuses is the one-time-programmable configuration of one chip. Each burn
// is one write on the [Power] counter; a torn burn lands only its first
// half of bytes.
type EFuses struct {
	bits  [efuseSize]byte
	chip  esp.Chip
	power *Power
}

func newEFuses(chip esp.Chip, p *Power) *EFuses { return &EFuses{chip: chip, power: p} }

// burn ORs value into the field at off. A value missing any bit that is
// already 1 is refused with [ErrEFuseClearBit] before anything is written:
// that is how espefuse reports an impossible request.
func (e *EFuses) burn(name string, off int, value []byte) error {
	old := e.bits[off : off+len(value)]
	for i, v := range value {
		if old[i]&^v != 0 {
			return fmt.Errorf("burn %s: %w", name, ErrEFuseClearBit)
		}
	}
	if bytes.Equal(old, value) {
		return nil // nothing to program; not a write
	}
	fa, err := e.power.begin("burn " + name)
	n := len(value)
	if fa == applyHalf {
		n = max(1, n/2)
		// emulator: for a one-byte field a torn burn lands the lowest new bit only.
		if len(value) == 1 {
			newBits := value[0] &^ old[0]
			old[0] |= newBits & -newBits
			return err
		}
	}
	if fa != applyNone {
		for i := 0; i < n; i++ {
			old[i] |= value[i]
		}
	}
	return err
}

// Flag reports whether a one-bit eFuse is burned.
func (e *EFuses) Flag(f Flag) bool { return Flag(e.bits[offFlags])&f != 0 }

// BurnFlags burns the given one-bit eFuses in one write. A flag the chip
// does not have is refused with [ErrNoSuchEFuse] before anything is written.
func (e *EFuses) BurnFlags(f Flag) error {
	for _, n := range e.flagNames() {
		if f&n.f != 0 && n.name == "" {
			return fmt.Errorf("burn flags: %w: %s has none for %s", ErrNoSuchEFuse, e.chip, n.generic)
		}
	}
	return e.burn(e.flagList(f), offFlags, []byte{e.bits[offFlags] | byte(f)})
}

// KeyDigest returns slot i's digest and whether the slot holds one. On
// ESP32-C2 only the first 16 bytes are kept; the rest reads zero.
func (e *EFuses) KeyDigest(i int) (d [32]byte, used bool) {
	copy(d[:], e.bits[offKeys+32*i:offKeys+32*i+32])
	if e.chip.EFuseNames().KeyPurpose == "" {
		// No KEY_PURPOSE field: the block is in use once programmed.
		return d, i < e.chip.KeySlots() && d != [32]byte{}
	}
	return d, e.bits[offPurpose]&(1<<i) != 0
}

// Revoked reports whether SECURE_BOOT_KEY_REVOKEi is burned.
func (e *EFuses) Revoked(i int) bool { return e.bits[offRevoke]&(1<<i) != 0 }

// BurnKeyDigest burns digest into slot i and then its key purpose, two
// writes, as espefuse burn_key_digest does. ESP32 (BLOCK2) and ESP32-C2
// (KEY0.SB_128BIT, the first 16 bytes of the digest) have one slot and no
// key purpose field, so one write.
func (e *EFuses) BurnKeyDigest(i int, digest [32]byte) error {
	if err := e.checkSlot(i); err != nil {
		return err
	}
	if _, used := e.KeyDigest(i); used {
		return fmt.Errorf("key slot %d: %w", i, ErrKeySlotUsed)
	}
	names, n := e.chip.EFuseNames(), e.chip.DigestLen()
	if err := e.burn(slotName(names.KeyBlock, i), offKeys+32*i, digest[:n]); err != nil {
		return err
	}
	if names.KeyPurpose == "" {
		return nil
	}
	return e.burn(slotName(names.KeyPurpose, i), offPurpose, []byte{e.bits[offPurpose] | 1<<i})
}

// BurnRevoke burns SECURE_BOOT_KEY_REVOKEi.
func (e *EFuses) BurnRevoke(i int) error {
	if err := e.checkSlot(i); err != nil {
		return err
	}
	name := e.chip.EFuseNames().Revoke
	if name == "" {
		return fmt.Errorf("revoke key slot %d: %w: %s has no SECURE_BOOT_KEY_REVOKE bits", i, ErrNoSuchEFuse, e.chip)
	}
	return e.burn(slotName(name, i), offRevoke, []byte{e.bits[offRevoke] | 1<<i})
}

func (e *EFuses) checkSlot(i int) error {
	if n := e.chip.KeySlots(); i < 0 || i >= n {
		return fmt.Errorf("key slot %d: %w: %s has key slots 0..%d", i, ErrNoSuchEFuse, e.chip, n-1)
	}
	return nil
}

// SecureVersion is the anti-rollback floor: the number of burned bits of
// the chip's thermometer (esp_efuse_read_secure_version counts them).
func (e *EFuses) SecureVersion() int {
	return bits.OnesCount32(e.secVerField() & e.secVerMask())
}

// SecureVersionBits is the width of the chip's SECURE_VERSION field: the
// highest version it can record.
func (e *EFuses) SecureVersionBits() int { return e.chip.SecureVersionBits() }

func (e *EFuses) secVerMask() uint32 { return uint32(1<<e.SecureVersionBits() - 1) }

func (e *EFuses) secVerField() uint32 {
	b := e.bits[offSecVer:]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// RaiseSecureVersion burns the thermometer up to v: only the missing bits,
// as esp_efuse_update_secure_version does. v equal to the current value is
// a no-op, lower is an error, above the chip's field width too
// (ESP_ERR_INVALID_ARG).
func (e *EFuses) RaiseSecureVersion(v int) error {
	cur := e.SecureVersion()
	switch {
	case v > e.SecureVersionBits():
		return fmt.Errorf("secure version %d: the %s %s field holds at most %d", v, e.chip, e.chip.EFuseNames().SecureVersion, e.SecureVersionBits())
	case v < cur:
		return fmt.Errorf("secure version %d is below the eFuse value %d", v, cur)
	case v == cur:
		return nil
	}
	want := uint32(1<<v - 1)
	return e.BurnSecureVersionField(want | e.secVerField())
}

// BurnSecureVersionField burns the raw SECURE_VERSION field. It exists so
// tests and tools can try any value; a value that would clear a bit fails
// with [ErrEFuseClearBit], one with bits beyond the chip's field width
// with [ErrNoSuchEFuse].
func (e *EFuses) BurnSecureVersionField(field uint32) error {
	if field&^e.secVerMask() != 0 {
		return fmt.Errorf("burn SECURE_VERSION %#x: %w: %s's field has %d bits", field, ErrNoSuchEFuse, e.chip, e.SecureVersionBits())
	}
	return e.burn("SECURE_VERSION", offSecVer, []byte{byte(field), byte(field >> 8), byte(field >> 16), byte(field >> 24)})
}

// TrustedKey is one non-revoked key digest the ROM and bootloader accept.
type TrustedKey struct {
	Slot   int
	Digest [32]byte
}

// TrustedKeys returns the used, non-revoked key digests.
func (e *EFuses) TrustedKeys() []TrustedKey {
	var out []TrustedKey
	for i := range e.chip.KeySlots() {
		if d, used := e.KeyDigest(i); used && !e.Revoked(i) {
			out = append(out, TrustedKey{Slot: i, Digest: d})
		}
	}
	return out
}

// flagName ties a one-bit eFuse to its name on the device's chip ("" when
// the chip lacks it) and to the C3/S3 name used when reporting that.
type flagName struct {
	f             Flag
	name, generic string
}

// flagNames are the device chip's names for the modelled one-bit eFuses
// (esp.EFuseNames, from each chip's esp_efuse_table.csv).
func (e *EFuses) flagNames() []flagName {
	n := e.chip.EFuseNames()
	jtag := func(i int) string {
		if i < len(n.JTAG) {
			return n.JTAG[i]
		}
		return ""
	}
	return []flagName{
		{SecureBootEn, n.SecureBootEn, "SECURE_BOOT_EN"},
		{DisPadJTAG, jtag(0), "DIS_PAD_JTAG"},
		{DisUSBJTAG, jtag(1), "DIS_USB_JTAG"},
		{DisDownloadMode, n.Download, "DIS_DOWNLOAD_MODE"},
		{EnableSecurityDownload, n.SecureDownload, "ENABLE_SECURITY_DOWNLOAD"},
	}
}

func (e *EFuses) flagList(f Flag) string {
	var s []string
	for _, n := range e.flagNames() {
		if f&n.f != 0 {
			s = append(s, n.name)
		}
	}
	return strings.Join(s, "+")
}

// jtagFlags are the flags that disable every JTAG path the chip has.
func (e *EFuses) jtagFlags() Flag {
	f := DisPadJTAG
	if len(e.chip.EFuseNames().JTAG) > 1 {
		f |= DisUSBJTAG
	}
	return f
}

// JTAGDisabled reports whether every JTAG disable the chip has is burned.
func (e *EFuses) JTAGDisabled() bool {
	f := e.jtagFlags()
	return Flag(e.bits[offFlags])&f == f
}

// slotName fills a per-slot eFuse name ("BLOCK_KEY%d"); names without a
// slot number (ESP32's BLOCK2) are returned as they are.
func slotName(format string, i int) string {
	return strings.Replace(format, "%d", string(rune('0'+i)), 1)
}
