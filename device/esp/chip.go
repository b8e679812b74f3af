package esp

import "fmt"

// Chip is the chip_id field of the image header.
type Chip uint16

// Chip IDs (esp_app_format.h, esp_chip_id_t).
const (
	ESP32    Chip = 0
	ESP32S2  Chip = 2
	ESP32C3  Chip = 5
	ESP32S3  Chip = 9
	ESP32C2  Chip = 12
	ESP32C6  Chip = 13
	ESP32H2  Chip = 16
	ESP32P4  Chip = 18
	ESP32C61 Chip = 20
	ESP32C5  Chip = 23
)

// chipInfo is what Secure Boot V2 and anti-rollback look like on a chip;
// the table at the end of this file gives each value its source.
type chipInfo struct {
	name string
	// Signature schemes the ROM and bootloader verify.
	rsa, ecdsa, p384 bool
	// keySlots is the number of key digest eFuse slots, which is also
	// how many signature blocks the bootloader reads.
	keySlots int
	// digestLen is how many bytes of the 32-byte key digest the eFuse
	// keeps (ESP32-C2: the first 16).
	digestLen int
	// secVerBits is the width of the SECURE_VERSION eFuse thermometer,
	// i.e. the highest anti-rollback version the chip can record.
	secVerBits int
	// minRev is the silicon revision (major*100+minor) from which the ROM
	// does Secure Boot V2; 0 for every revision.
	minRev uint16
	names  EFuseNames
}

// Known reports whether signbox knows the chip's Secure Boot V2 rules.
func (c Chip) Known() bool { _, ok := chips[c]; return ok }

func (c Chip) String() string {
	if i, ok := chips[c]; ok {
		return i.name
	}
	return fmt.Sprintf("unknown chip %d", uint16(c))
}

// MaxBlocks is how many signature blocks the chip's bootloader reads
// (and how many key digest slots it has); 0 for an unknown chip.
func (c Chip) MaxBlocks() int { return chips[c].keySlots }

// KeySlots is the number of Secure Boot V2 key digest eFuse slots: 1 on
// ESP32 and ESP32-C2, 3 elsewhere; 0 for an unknown chip.
func (c Chip) KeySlots() int { return chips[c].keySlots }

// DigestLen is how many bytes of a key digest the chip's eFuse keeps and
// the bootloader compares: 16 on ESP32-C2, 32 elsewhere.
func (c Chip) DigestLen() int { return chips[c].digestLen }

// SecureVersionBits is the width of the SECURE_VERSION eFuse field, the
// highest anti-rollback version the chip can record; 0 for an unknown chip.
func (c Chip) SecureVersionBits() int { return chips[c].secVerBits }

// MinRevisionSBV2 is the silicon revision (major*100+minor, as in the
// image header's min_chip_rev_full) from which the chip's ROM verifies
// Secure Boot V2: 300 (v3.0) on ESP32, 0 elsewhere.
func (c Chip) MinRevisionSBV2() uint16 { return chips[c].minRev }

// RevokeSlots reports whether the chip has SECURE_BOOT_KEY_REVOKEn eFuses
// (ESP32 and ESP32-C2, with one key slot, have none).
func (c Chip) RevokeSlots() bool { return chips[c].names.Revoke != "" }

// EFuseNames returns the chip's eFuse field names.
func (c Chip) EFuseNames() EFuseNames { return chips[c].names }

// Supports reports whether the chip's Secure Boot V2 accepts the scheme.
func (c Chip) Supports(s Scheme) bool {
	i, ok := chips[c]
	if !ok {
		return false
	}
	switch s {
	case SchemeRSA3072:
		return i.rsa
	case SchemeECDSAP256:
		return i.ecdsa
	case SchemeECDSAP384:
		return i.p384
	}
	return false
}

// Schemes lists the schemes the chip verifies.
func (c Chip) Schemes() []Scheme {
	var out []Scheme
	for _, s := range []Scheme{SchemeRSA3072, SchemeECDSAP256, SchemeECDSAP384} {
		if c.Supports(s) {
			out = append(out, s)
		}
	}
	return out
}

// ParseChip maps a name like "esp32c3" or "ESP32-C3" to its ID.
func ParseChip(name string) (Chip, error) {
	norm := func(s string) string {
		out := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '-' || c == '_':
			case c >= 'A' && c <= 'Z':
				out = append(out, c+'a'-'A')
			default:
				out = append(out, c)
			}
		}
		return string(out)
	}
	for id, i := range chips {
		if norm(i.name) == norm(name) {
			return id, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownChip, name)
}

// The per-chip facts, one table used by signing and verifying here, by
// the device emulator (provisioning, eFuses) and by the policy validator.
//
// Sources (esp-idf-formats.md §1, §2, §4, §7, and the files it cites):
//   - schemes and key slots: soc_caps.h and docs/en/security/secure-boot-v2.rst
//     of espressif/esp-idf 102122904ade (esp-idf-formats.md §1): RSA only on
//     ESP32 (rev >= v3.0), S2, S3, C3; ECDSA only on C2 and C61; both on C5,
//     C6, H2, P4; P-384 on C5 and P4. ESP32 and C2 have one digest slot.
//   - digest length: esp-idf-formats.md §2, and esp32c2/esp_efuse_table.csv
//     (KEY0.SB_128BIT, EFUSE_BLK3 bits 128..255): C2 keeps 16 bytes.
//   - SECURE_VERSION width: components/bootloader/Kconfig.app_rollback,
//     BOOTLOADER_APP_SEC_VER_SIZE_EFUSE_FIELD ("limited to 32 bits for
//     ESP32, 4 bits for ESP32-C2, 9 bits for ESP32-C5, and 16 bits for
//     other targets"), as esp-idf-formats.md §4; esp32/esp_efuse_table.csv
//     (SECURE_VERSION, EFUSE_BLK3, 128, 32) and esp32c2 (EFUSE_BLK0, 54, 4).
//   - ESP32 revision: Secure Boot V2 code in esp-idf is compiled only for
//     CONFIG_ESP32_REV_MIN_FULL >= 300 (bootloader_support
//     esp_secure_boot.h), esp-idf-formats.md §1 "ESP32 (rev >= v3.0)".
//   - eFuse names: esp_efuse_table.csv per chip (esp32: ABS_DONE_1, BLOCK2,
//     JTAG_DISABLE, UART_DOWNLOAD_DIS, no secure download mode; esp32c2:
//     KEY0.SB_128BIT, DIS_PAD_JTAG only, no revoke bits; esp32s2:
//     HARD_DIS_JTAG; the others follow the C3/S3/C5 tables).

// EFuseNames are a chip's eFuse field names (esp_efuse_table.csv). A
// name with %d takes the key slot; an empty name is a field the chip
// lacks.
type EFuseNames struct {
	SecureBootEn   string
	KeyBlock       string
	KeyPurpose     string
	Revoke         string
	JTAG           []string
	Download       string
	SecureDownload string
	SecureVersion  string
}

// namesC3 are the names of the C3/S3 family, which the later chips share.
var namesC3 = EFuseNames{
	SecureBootEn: "SECURE_BOOT_EN", KeyBlock: "BLOCK_KEY%d", KeyPurpose: "KEY_PURPOSE_%d",
	Revoke: "SECURE_BOOT_KEY_REVOKE%d", JTAG: []string{"DIS_PAD_JTAG", "DIS_USB_JTAG"},
	Download: "DIS_DOWNLOAD_MODE", SecureDownload: "ENABLE_SECURITY_DOWNLOAD", SecureVersion: "SECURE_VERSION",
}

var namesESP32 = EFuseNames{
	SecureBootEn: "ABS_DONE_1", KeyBlock: "BLOCK2", JTAG: []string{"JTAG_DISABLE"},
	Download: "UART_DOWNLOAD_DIS", SecureVersion: "SECURE_VERSION",
}

var namesC2 = EFuseNames{
	SecureBootEn: "SECURE_BOOT_EN", KeyBlock: "KEY0.SB_128BIT", JTAG: []string{"DIS_PAD_JTAG"},
	Download: "DIS_DOWNLOAD_MODE", SecureDownload: "ENABLE_SECURITY_DOWNLOAD", SecureVersion: "SECURE_VERSION",
}

func namesS2() EFuseNames {
	n := namesC3
	n.JTAG = []string{"HARD_DIS_JTAG"}
	return n
}

var chips = map[Chip]chipInfo{
	ESP32:    {"ESP32", true, false, false, 1, 32, 32, 300, namesESP32},
	ESP32S2:  {"ESP32-S2", true, false, false, 3, 32, 16, 0, namesS2()},
	ESP32C3:  {"ESP32-C3", true, false, false, 3, 32, 16, 0, namesC3},
	ESP32S3:  {"ESP32-S3", true, false, false, 3, 32, 16, 0, namesC3},
	ESP32C2:  {"ESP32-C2", false, true, false, 1, 16, 4, 0, namesC2},
	ESP32C6:  {"ESP32-C6", true, true, false, 3, 32, 16, 0, namesC3},
	ESP32H2:  {"ESP32-H2", true, true, false, 3, 32, 16, 0, namesC3},
	ESP32P4:  {"ESP32-P4", true, true, true, 3, 32, 16, 0, namesC3},
	ESP32C61: {"ESP32-C61", false, true, false, 3, 32, 16, 0, namesC3},
	ESP32C5:  {"ESP32-C5", true, true, true, 3, 32, 9, 0, namesC3},
}
