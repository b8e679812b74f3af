package mcuemu

// Bounds on what the emulator models and reads, each with its reason.
const (
	// maxImgSectors is MCUboot's BOOT_MAX_IMG_SECTORS default (128): the
	// swap status area has room for three entries per sector
	// (mcuboot-formats.md §3), so a slot image may span at most this many.
	maxImgSectors = 128

	// maxStateJSON bounds the JSON part of a state file: a few keys (an
	// RSA-3072 PEM is about 650 bytes) and short names; 64 KiB is far
	// above any real one and keeps a hostile file from making us decode
	// megabytes of JSON. The flash part is bounded by the layout it names
	// (at most 130 sectors of 64 KiB per slot pair, about 17 MiB).
	maxStateJSON = 64 << 10

	// maxStateFile bounds a whole state file: header, JSON and the flash
	// of the largest layout (2*maxImgSectors+3 sectors of 64 KiB).
	maxStateFile = len(stateMagic) + 4 + maxStateJSON + (2*maxImgSectors+3)*(64<<10)
)
