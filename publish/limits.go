package publish

import "time"

// Bounds on what is published and what a client accepts.
const (
	// MaxMetadataBytes bounds one TUF metadata file: the targets file of a
	// product line with a few hundred releases stays far below it, and a
	// client refuses to download more (endless-data attack).
	MaxMetadataBytes = 1 << 20
	// MaxManifestBytes bounds a bundle's OCI manifest: a bundle has at most
	// airgap.BundleLimits.MaxFiles layers of about 250 bytes each.
	MaxManifestBytes = 1 << 20
	// MaxWaves bounds a rollout plan: a staged rollout has a handful of
	// waves; more is a mistake in the plan.
	MaxWaves = 16
	// MaxGroupsPerWave bounds the device groups a wave names.
	MaxGroupsPerWave = 64
)

// Default metadata lifetimes. Timestamp and snapshot are re-signed by the
// online keys; a device that sees no new timestamp for a day refuses
// (freeze attack). Targets and root are signed in ceremonies, so they live
// long enough to reach the next one.
const (
	DefaultTimestampLife = 24 * time.Hour
	DefaultSnapshotLife  = 7 * 24 * time.Hour
	DefaultTargetsLife   = 365 * 24 * time.Hour
	DefaultRootLife      = 2 * 365 * 24 * time.Hour
)
