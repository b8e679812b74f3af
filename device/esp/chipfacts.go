package esp

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
