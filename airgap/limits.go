package airgap

// Limits bound what an import will read. Media is hostile until verified,
// so every count and size is capped before the bytes are read, and the
// error names the limit that was hit.
type Limits struct {
	// MaxEntries caps the entries (files and directories) on the media.
	MaxEntries int
	// MaxManifestBytes caps request.json / feed.json / their signatures.
	MaxManifestBytes int64
	// MaxFileBytes caps any single listed file.
	MaxFileBytes int64
	// MaxTotalBytes caps the sum of all file sizes.
	MaxTotalBytes int64
}

const (
	// MaxPathBytes caps a relative path: far above any name signbox or CI
	// produces, far below PATH_MAX on the media's file system.
	MaxPathBytes = 255
	// MaxPathDepth caps directory nesting (e.g. images/app.bin is depth 2).
	MaxPathDepth = 4
	// MaxImageBytes is the largest firmware image accepted: 32 MiB, the
	// largest flash any ESP32-family chip maps for one app partition.
	MaxImageBytes = 32 << 20
	// MaxSBOMBytes caps a CycloneDX SBOM; large Linux-based products
	// produce SBOMs of a few MiB, so 64 MiB leaves ample room.
	MaxSBOMBytes = 64 << 20
	// MaxFeedFileBytes caps one OSV <Ecosystem>/all.zip; the largest public
	// ecosystems are a few hundred MiB today.
	MaxFeedFileBytes = 2 << 30
	// MaxManifestBytes caps manifests and their DSSE envelopes: a request
	// lists a handful of files, so 1 MiB is generous.
	MaxManifestBytes = 1 << 20
)

// RequestLimits bound a release request: a manifest, an optional
// signature, up to two images and an SBOM, plus directories.
var RequestLimits = Limits{
	MaxEntries:       32,
	MaxManifestBytes: MaxManifestBytes,
	MaxFileBytes:     MaxSBOMBytes,
	MaxTotalBytes:    2*MaxImageBytes + MaxSBOMBytes + 2*MaxManifestBytes,
}

// FeedLimits bound an OSV feed snapshot: one all.zip per ecosystem (OSV
// publishes about 40).
var FeedLimits = Limits{
	MaxEntries:       256,
	MaxManifestBytes: MaxManifestBytes,
	MaxFileBytes:     MaxFeedFileBytes,
	MaxTotalBytes:    16 << 30,
}

// BundleLimits bound a release bundle read back from media: images, keys,
// SBOM, VEX, transcript, approvals and a checkpoint.
var BundleLimits = Limits{
	MaxEntries:       128,
	MaxManifestBytes: MaxManifestBytes,
	MaxFileBytes:     MaxSBOMBytes,
	MaxTotalBytes:    2*MaxImageBytes + 2*MaxSBOMBytes + 16*MaxManifestBytes,
}
