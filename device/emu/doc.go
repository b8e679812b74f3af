// Package emu emulates an ESP32-family device running ESP-IDF with Secure
// Boot V2, app rollback and anti-rollback enabled, so a release can be
// rehearsed end to end before it ships.
//
// # Model
//
// A device is a NOR [Flash] (erase sets a 4 KiB sector to 0xFF, programming
// only clears bits) holding the second-stage bootloader, an ESP partition
// table, two-sector otadata, ota_0 and ota_1; and [EFuses], whose bits only
// ever go from 0 to 1: Secure Boot key digests with revoke bits, secure
// boot enable, the secure-version thermometer, JTAG disable and
// download-mode disable, each as the device's chip has them (device/esp's
// per-chip table: one key slot and no revoke bits on ESP32 and ESP32-C2,
// which keeps 128 bits of the digest; a SECURE_VERSION field of 32, 4, 9
// or 16 bits; the chip's own eFuse names). Every erase, program and eFuse burn goes through one
// [Power] counter, so a test can cut power before, or in the middle of, any
// write and then reboot.
//
// # Operations
//
// [Device.Boot] runs the ROM (bootloader signature against non-revoked
// digests) and the bootloader (partition table, otadata selection with the
// ESP-IDF rollback state machine, app signature and secure_version, fallback
// to the other slot) and returns a [BootTrace]. [Device.Install] plays the
// running app's OTA: checks in order (signature chain, chip, secure_version
// against the floor, fits the slot), writes the inactive slot, re-hashes it
// and marks the otadata entry NEW. [Device.Confirm] marks the running app
// VALID and only then raises the eFuse; until that raise is burned (by
// confirm, or by the bootloader at the next boot, as ESP-IDF does), the
// installer and reject hold to the confirmed app's secure_version
// ([Device.AntiRollbackFloor]), so a confirm cut between the two writes
// cannot be followed by a downgrade, with or without a reboot.
// [Device.Reject] marks it INVALID and reboots into the other slot;
// [Device.RevokeKey] burns a revoke bit only when the installed images
// still verify with another key.
//
// Install takes a [Source]: a signed app image ([AppImage]) on the bench,
// or a release bundle ([BundleSource]), which verifies its own signature,
// manifest and images first and then must name the device's product and
// chip: each device records at provisioning what it is (its [Nameplate]:
// product id, hardware and chip revision), and a bundle for another
// product is refused by name. Device events (boot verdicts, installs accepted or refused with the
// reason, confirm, reject, revoke) go to an [EventSink] declared here, so the
// appliance's audit log can be plugged in with [Device.SetEventSink].
//
// # Deliberate differences from the chip
//
// The partition table sits at 0xF000 (CONFIG_PARTITION_TABLE_OFFSET) so a
// signed bootloader has 60 KiB. The bootloader raises the eFuse for a VALID
// entry after the app verified, not before. A torn erase leaves the first
// half of the sector erased; a torn program or burn lands its first half.
// A corrupt partition table halts the boot, as on a chip; the installer
// never writes the table, and every app-side operation refuses before
// writing when it is damaged.
//
// A device lives in a state directory ([Open], [ProvisionDir]): flash.bin,
// efuse.bin and runtime.json, each replaced atomically. Every write to it
// holds the directory's lock (signbox/internal/lock): for one save when
// the device came from [Open], which also refuses to save over a state
// someone else saved in the meantime ([ErrStateChanged]), or for the
// caller's whole command with [OpenLocked] and [ProvisionLocked].
//
// # The device's own audit log
//
// Provisioned with a clock (ProvisionConfig.Now), a device gets an
// [Identity]: a random serial, an Ed25519 checkpoint key and an HMAC seed
// (audit.NewDerivedKeys), in secure.json. On a chip these would sit in
// eFuse key blocks and flash-encrypted NVS; the emulator's stand-in is that
// one 0600 file in the state directory, and says so. Every event then also
// goes to the device's audit log, <state>/audit with origin
// signbox.local/<serial>/audit and its floor in <state>/audit.floor:
// queued in RAM, appended by [Device.Save] after the flash and eFuse files
// and sealed by a checkpoint, so an export ([Device.ExportAudit]) verifies
// OK against [Device.AuditVerifierKey]. An operation that lost power is not
// logged; a crash between the state files and the log leaves the log one
// command short, never ahead of the device. Times come from
// [Device.SetClock]; without one, events carry the log's newest time and
// clock=last-known. The byte formats of
// images and signature sectors come from signbox/device/esp; this package
// only decides what the chip and the bootloader do with them.
//
// Behaviour follows ESP-IDF's bootloader_utility.c and esp_ota_ops.c as
// summarised in shared/design/esp-idf-formats.md §4–5. Deliberate
// differences are marked "emulator:" in comments.
package emu
