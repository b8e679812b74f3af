package emu

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
)

// Sentinel eFuse errors.
var (
	// ErrEFuseClearBit reports a burn whose value lacks a bit that is
	// already 1: eFuse bits only go from 0 to 1.
	ErrEFuseClearBit = errors.New("eFuse bits cannot be cleared")
	// ErrKeySlotUsed reports a key digest burn into a slot that already
	// holds one (espefuse write-protects a key block once burned).
	ErrKeySlotUsed = errors.New("eFuse key slot already burned")
)

// KeySlots is the number of Secure Boot V2 key digest slots on the chips
// the emulator models (SOC_EFUSE_REVOKE_BOOT_KEY_DIGESTS: S2, S3, C3, C6...).
const KeySlots = 3

// SecureVersionBits is the width of the SECURE_VERSION thermometer on every
// chip except ESP32 (32), C2 (4) and C5 (9) (esp-idf-formats.md §4).
const SecureVersionBits = 16

// Flag is a one-bit eFuse. Names follow esp_efuse_table.csv for C3/S3.
type Flag uint8

// The one-bit eFuses the emulator models.
const (
	SecureBootEn           Flag = 1 << iota // SECURE_BOOT_EN
	DisPadJTAG                              // DIS_PAD_JTAG
	DisUSBJTAG                              // DIS_USB_JTAG
	DisDownloadMode                         // DIS_DOWNLOAD_MODE
	EnableSecurityDownload                  // ENABLE_SECURITY_DOWNLOAD
)

var flagNames = []struct {
	f    Flag
	name string
}{
	{SecureBootEn, "SECURE_BOOT_EN"}, {DisPadJTAG, "DIS_PAD_JTAG"}, {DisUSBJTAG, "DIS_USB_JTAG"},
	{DisDownloadMode, "DIS_DOWNLOAD_MODE"}, {EnableSecurityDownload, "ENABLE_SECURITY_DOWNLOAD"},
}

// eFuse array layout (the emulator's own; a chip spreads these over
// several blocks): byte 0 flags, byte 1 key revoke bits, byte 2 key purpose
// bits (slot i holds SECURE_BOOT_DIGESTi), bytes 3-4 SECURE_VERSION, then
// three 32-byte key blocks.
const (
	offFlags   = 0
	offRevoke  = 1
	offPurpose = 2
	offSecVer  = 3
	offKeys    = 5
	efuseSize  = offKeys + KeySlots*32
)

// EFuses is the one-time-programmable configuration. Each burn is one write
// on the [Power] counter; a torn burn lands only its first half of bytes.
type EFuses struct {
	bits  [efuseSize]byte
	power *Power
}

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

// BurnFlags burns the given one-bit eFuses in one write.
func (e *EFuses) BurnFlags(f Flag) error {
	return e.burn(flagList(f), offFlags, []byte{e.bits[offFlags] | byte(f)})
}

func flagList(f Flag) string {
	var s []byte
	for _, n := range flagNames {
		if f&n.f != 0 {
			if len(s) > 0 {
				s = append(s, '+')
			}
			s = append(s, n.name...)
		}
	}
	return string(s)
}

// KeyDigest returns slot i's digest and whether the slot holds one.
func (e *EFuses) KeyDigest(i int) (d [32]byte, used bool) {
	copy(d[:], e.bits[offKeys+32*i:])
	return d, e.bits[offPurpose]&(1<<i) != 0
}

// Revoked reports whether SECURE_BOOT_KEY_REVOKEi is burned.
func (e *EFuses) Revoked(i int) bool { return e.bits[offRevoke]&(1<<i) != 0 }

// BurnKeyDigest burns digest into slot i and then its key purpose, two
// writes, as espefuse burn_key_digest does.
func (e *EFuses) BurnKeyDigest(i int, digest [32]byte) error {
	if i < 0 || i >= KeySlots {
		return fmt.Errorf("key slot %d: want 0..%d", i, KeySlots-1)
	}
	if _, used := e.KeyDigest(i); used {
		return fmt.Errorf("key slot %d: %w", i, ErrKeySlotUsed)
	}
	if err := e.burn(fmt.Sprintf("BLOCK_KEY%d", i), offKeys+32*i, digest[:]); err != nil {
		return err
	}
	return e.burn(fmt.Sprintf("KEY_PURPOSE_%d", i), offPurpose, []byte{e.bits[offPurpose] | 1<<i})
}

// BurnRevoke burns SECURE_BOOT_KEY_REVOKEi.
func (e *EFuses) BurnRevoke(i int) error {
	if i < 0 || i >= KeySlots {
		return fmt.Errorf("key slot %d: want 0..%d", i, KeySlots-1)
	}
	return e.burn(fmt.Sprintf("SECURE_BOOT_KEY_REVOKE%d", i), offRevoke, []byte{e.bits[offRevoke] | 1<<i})
}

// SecureVersion is the anti-rollback floor: the number of burned bits of
// the thermometer (esp_efuse_read_secure_version counts them).
func (e *EFuses) SecureVersion() int {
	return bits.OnesCount16(e.secVerField())
}

func (e *EFuses) secVerField() uint16 {
	return uint16(e.bits[offSecVer]) | uint16(e.bits[offSecVer+1])<<8
}

// RaiseSecureVersion burns the thermometer up to v: only the missing bits,
// as esp_efuse_update_secure_version does. v equal to the current value is
// a no-op, lower is an error.
func (e *EFuses) RaiseSecureVersion(v int) error {
	cur := e.SecureVersion()
	switch {
	case v > SecureVersionBits:
		return fmt.Errorf("secure version %d: the eFuse field holds at most %d", v, SecureVersionBits)
	case v < cur:
		return fmt.Errorf("secure version %d is below the eFuse value %d", v, cur)
	case v == cur:
		return nil
	}
	want := uint16(1<<v - 1)
	return e.BurnSecureVersionField(want | e.secVerField())
}

// BurnSecureVersionField burns the raw SECURE_VERSION field. It exists so
// tests and tools can try any value; a value that would clear a bit fails
// with [ErrEFuseClearBit].
func (e *EFuses) BurnSecureVersionField(field uint16) error {
	return e.burn("SECURE_VERSION", offSecVer, []byte{byte(field), byte(field >> 8)})
}

// TrustedKey is one non-revoked key digest the ROM and bootloader accept.
type TrustedKey struct {
	Slot   int
	Digest [32]byte
}

// TrustedKeys returns the used, non-revoked key digests.
func (e *EFuses) TrustedKeys() []TrustedKey {
	var out []TrustedKey
	for i := range KeySlots {
		if d, used := e.KeyDigest(i); used && !e.Revoked(i) {
			out = append(out, TrustedKey{Slot: i, Digest: d})
		}
	}
	return out
}
