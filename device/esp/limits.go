package esp

// Bounds on what the parsers accept, each with its reason.
const (
	// MaxImageSize bounds a whole file: the largest flash an ESP image
	// header can describe is 128 MB, and no app partition on any chip maps
	// more than 32 MiB, so anything larger is not an image.
	MaxImageSize = 32 << 20

	// MaxSegments is ESP_IMAGE_MAX_SEGMENTS (esp_app_format.h).
	MaxSegments = 16

	// SectorSize is the flash sector: the image is 0xFF-padded to it and the
	// signature sector is exactly one of it.
	SectorSize = 4096

	// BlockSize is one Secure Boot V2 signature block; a sector has room for
	// MaxBlocks of them.
	BlockSize = 1216
	MaxBlocks = 3
)
