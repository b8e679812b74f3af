package emu

import "errors"

// Sentinel errors for the refusals callers branch on. They are wrapped with
// the detail ("install: secure_version 2 is below the eFuse value 3: ...").
var (
	// ErrNotProvisioned: the device has no secure boot configuration yet.
	ErrNotProvisioned = errors.New("device is not provisioned")
	// ErrNotRunning: the operation is done by the running app, but no app
	// runs since the last power cut or reset; boot first.
	ErrNotRunning = errors.New("no app is running")
	// ErrBootloaderRejected: the ROM refused the second-stage bootloader.
	ErrBootloaderRejected = errors.New("ROM rejected the bootloader")
	// ErrNoBootableApp: neither slot holds an app the bootloader accepts.
	ErrNoBootableApp = errors.New("no bootable app")
	// ErrSignature: the image's signature chain does not lead to a trusted,
	// non-revoked eFuse key digest (unsigned, wrong key, revoked, tampered).
	ErrSignature = errors.New("signature check failed")
	// ErrWrongChip: the image is built for another chip.
	ErrWrongChip = errors.New("image is for another chip")
	// ErrWrongProduct: the release bundle names another product than the
	// one the device was provisioned as.
	ErrWrongProduct = errors.New("update is for another product")
	// ErrDowngrade: secure_version is below the eFuse anti-rollback floor.
	ErrDowngrade = errors.New("secure_version below the eFuse floor")
	// ErrSecureVersionRange: secure_version is beyond what the chip's
	// SECURE_VERSION eFuse field can record, so confirming the app could
	// never raise the floor to it.
	ErrSecureVersionRange = errors.New("secure_version beyond the chip's eFuse field")
	// ErrTooLarge: the image does not fit the slot.
	ErrTooLarge = errors.New("image larger than the slot")
	// ErrWrongKind: a bootloader where an app is expected or vice versa.
	ErrWrongKind = errors.New("wrong image kind")
	// ErrReadBack: what was written to flash does not hash to what was sent.
	ErrReadBack = errors.New("written image does not match")
	// ErrRollbackImpossible: reject found no other bootable app
	// (ESP_ERR_OTA_ROLLBACK_FAILED); the running app stays PENDING_VERIFY.
	ErrRollbackImpossible = errors.New("no other bootable app to roll back to")
	// ErrNotActive: the running app is a fallback, not the otadata entry the
	// bootloader chose, so there is nothing to confirm or reject.
	ErrNotActive = errors.New("running app is not the active otadata entry")
	// ErrUnconfirmed: an update was attempted while the running app is
	// still PENDING_VERIFY (ESP_ERR_OTA_ROLLBACK_INVALID_STATE): writing the
	// other slot would destroy the only confirmed app.
	ErrUnconfirmed = errors.New("running app is not confirmed yet")
	// ErrRevokeUnsafe: revoking the key would leave the bootloader or the
	// running app without a verifying signature.
	ErrRevokeUnsafe = errors.New("revocation would make the device unbootable")
)
