package airgap

import (
	"slices"

	"signbox/device/profile"
)

// A release request for an MCUboot product names its board in the chip
// field (one of device/profile's MCUboot targets) and carries the app
// only: the bootloader is built with the firmware key and provisioned,
// never released.

// IsBoard reports whether chip names an MCUboot board rather than an
// ESP32 chip.
func IsBoard(chip string) bool { return slices.Contains(profile.MCUboot{}.Targets(), chip) }

// Targets lists every chip and board a request may name.
func Targets() []string { return append(slices.Clone(Chips), profile.MCUboot{}.Targets()...) }
