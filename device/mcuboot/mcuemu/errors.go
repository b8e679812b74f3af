package mcuemu

import "errors"

var (
	// ErrPowerCut reports that power failed during or before a write.
	// Nothing further reaches flash or the counter until [Device.Boot].
	ErrPowerCut = errors.New("power cut")
	// ErrNotErased reports a program that would turn a 0 bit into a 1.
	ErrNotErased = errors.New("programming over unerased flash")
	// ErrAlignment reports an erase or program off the flash's units.
	ErrAlignment = errors.New("flash access not aligned")
	// ErrNoBootableImage: the primary slot holds no image the bootloader
	// accepts; the device does not start.
	ErrNoBootableImage = errors.New("no bootable image")
	// ErrNotRunning: an application-side operation on a device that has
	// not booted since power was lost.
	ErrNotRunning = errors.New("no image is running (boot first)")
	// ErrUnconfirmed: the running image is a test upgrade not yet
	// confirmed, and the secondary slot holds the image to revert to.
	ErrUnconfirmed = errors.New("the running image is not confirmed")
	// ErrImageTooLarge: the image does not fit a slot's image area.
	ErrImageTooLarge = errors.New("image does not fit the slot")
	// ErrBadLayout: a Layout or Config the emulator cannot model.
	ErrBadLayout = errors.New("bad layout")
)
