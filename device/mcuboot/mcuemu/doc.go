// Package mcuemu emulates a device booting through MCUboot with hardware
// rollback protection, so MCUboot releases can be rehearsed the way
// signbox/device/emu rehearses ESP32 ones, and so every flash write of an
// upgrade can be cut by a power failure in a test.
//
// # Model
//
// A device is a NOR [Flash] with an erase unit (the sector) and a write
// unit (1, 2, 4 or 8 bytes; MCUboot's BOOT_MAX_ALIGN 8): erase sets a
// sector to 0xFF, a program must be write-unit aligned and only clears
// bits. It holds the primary slot at 0 and the secondary slot right after
// it ([Layout]). Each slot ends with one trailer sector holding the image
// trailer byte for byte as mcuboot-formats.md §3 gives it for max_align 8:
// magic at S-16, image_ok at S-24, copy_done at S-32, swap_info at S-40,
// swap_size at S-48, and below them the swap status entries, one write
// unit each. A hardware security counter (MCUBOOT_HW_ROLLBACK_PROT's
// per-image NV counter) only ever goes up. Every erase, program and
// counter update goes through one [Power] counter, so a test can cut power
// before, or halfway through, any write and then reboot.
//
// # Bootloader
//
// [Device.Boot] plays MCUboot's loader (loader.c, swap_move.c,
// bootutil_public.c as mcuboot-formats.md §3–4 summarise them) in one of
// two upgrade modes:
//
//   - [SwapMove] (swap-using-move): the primary slot has one spare sector;
//     an upgrade moves the primary image up one sector, then swaps sector
//     by sector with the secondary, recording each step in the primary
//     trailer's status area so an interrupted swap resumes where it
//     stopped. A test upgrade (secondary magic, image_ok unset) that the
//     new image does not confirm ([Device.Confirm], boot_set_confirmed) is
//     swapped back at the next boot (REVERT); a permanent one (image_ok
//     set) is not.
//   - [OverwriteOnly]: the secondary is copied over the primary; no revert.
//
// Before any upgrade the secondary image is validated: hash, KEYHASH
// naming one of the device's keys, that key's signature, and a SEC_CNT TLV
// (mandatory) not below the hardware counter. A candidate that fails is
// erased and the upgrade cancelled. The primary is validated the same way
// before it is booted, and a device with no valid primary does not boot
// ([ErrNoBootableImage]). The counter is raised to the booted image's
// SEC_CNT when the boot's swap type is NONE or PERM or after an overwrite,
// never right after a test swap, so a revert stays possible.
//
// # Application side
//
// [Device.Install] is the running image's update agent (MCUmgr image
// upload and `image test` / `image confirm`): it refuses a malformed or
// oversized image and refuses to replace the secondary while the running
// image is unconfirmed (the secondary then holds the image a revert needs);
// it erases the secondary slot, programs the image and marks it pending
// (boot_set_pending: magic, then image_ok for a permanent upgrade, then
// swap_info). It does not verify the signature: that is the
// bootloader's job, and a test can watch the bootloader refuse.
//
// # Deliberate differences from MCUboot
//
// Marked "emulator:" in comments. The trailer sector is never swapped; a
// swap rewrites the primary trailer first (status init) and only then
// erases the secondary's. A completed revert sets image_ok in the primary
// trailer (the old image had been confirmed). Overwrite-only erases only
// the secondary trailer sector after the copy, not the whole slot. A torn
// erase leaves the sector's first half erased and the rest as it was; a
// torn program lands its first half (in whole write units) and leaves the
// next unit partly programmed; a torn counter update lands.
package mcuemu
