package fleet

import "errors"

// Refusals a caller can tell apart. Each error names its cause in its text
// as well.
var (
	// ErrMetadata: TUF refresh failed (expired, rolled back, mixed,
	// oversized or badly signed metadata, or the source was unreachable).
	ErrMetadata = errors.New("update metadata refused")
	// ErrNoUpdate: no published target is for this product and chip.
	ErrNoUpdate = errors.New("no release published for this device")
	// ErrContent: the fetched artifact does not match what TUF signed.
	ErrContent = errors.New("downloaded content refused")
	// ErrUpToDate: the device already runs the newest release.
	ErrUpToDate = errors.New("device already runs the newest release")
)
