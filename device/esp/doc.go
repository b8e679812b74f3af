// Package esp owns the byte formats an ESP32-family chip understands: the
// ESP app and bootloader image (header, segments, checksum, appended
// SHA-256, esp_app_desc_t / esp_bootloader_desc_t), Secure Boot V2
// signature sectors (RSA-3072-PSS and ECDSA P-256/P-384 blocks), the
// public-key digests burned into eFuse, and otadata entries.
//
// Everything here is byte-compatible with Espressif's esptool/espsecure and
// with the ESP-IDF bootloader; the facts and their sources are collected in
// the project's esp-idf-formats.md design note, and the tests check the
// package against vectors produced by espsecure itself.
//
// # Images
//
// [ParseImage] validates an image (and an optional signature sector after
// it). Like esptool image_info it also reads a bootloader built by ESP-IDF
// before v5.1, which has no esp_bootloader_desc_t (Kind bootloader,
// [Image.HasDescriptor] false, secure version 0). Nothing here rewrites an
// image: the secure_version, version and project name a build wrote into
// the descriptor are read, never set. [CheckAppended] proves a signed
// image is its built image with only 0xFF padding and a signature sector
// added.
//
// # Signing and verifying
//
// [Sign] appends Secure Boot V2 blocks made by any [crypto.Signer], so an HSM
// key works as well as an in-memory one; every new signature is verified
// before the image is returned. [Verify] checks a signed image against
// public keys (what espsecure verify_signature does); [VerifyDigests] checks
// it the way the bootloader does, against eFuse key digests with revoked
// slots. Both return a [Verified] value saying which block and key passed;
// code that needs a verified image should take a Verified as a parameter.
//
// # Chips
//
// [Chip] carries one table of per-chip facts (chip.go, each with its
// source): the schemes the ROM verifies, key digest slots and how much of
// the digest the eFuse keeps, the SECURE_VERSION width, the silicon
// revision Secure Boot V2 needs, and the eFuse field names. Sign, Verify
// for the chip ([VerifyOnChip], [VerifyDigests]), the device emulator and
// the policy validator all read it.
//
// # OTA data
//
// [EncodeOTAEntry] and [DecodeOTAEntry] handle the 32-byte
// esp_ota_select_entry_t, whose CRC covers only ota_seq.
package esp
