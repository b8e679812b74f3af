package mcuboot

// Bounds on what the parser and signer accept, each with its reason. The
// format's own field widths bound the rest: a header is at most 0xFFFF
// bytes (ih_hdr_size is a u16) and each TLV area at most 0xFFFF bytes
// including its info header (it_tlv_tot is a u16).
const (
	// MaxImageSize bounds a whole file (header, body and TLV areas, or a
	// whole slot for ParseSlot). MCUboot targets keep their slots in
	// internal flash of at most a few MiB or in external XIP flash; no
	// slot on a device signbox serves comes near 32 MiB, and the bound
	// keeps a hostile ih_img_size from making us hash gigabytes.
	MaxImageSize = 32 << 20

	// MinHeaderSize is sizeof(struct image_header) (image.h
	// IMAGE_HEADER_SIZE; mcuboot-formats.md §1): imgtool refuses -H below it.
	MinHeaderSize = 32

	// MaxTLVs bounds the entries in one TLV area. imgtool writes fewer
	// than 20 (counter, boot record, one dependency per other image,
	// compression and UUID TLVs, hash, key hash, signature, encryption
	// key); a 64 KiB area of empty 4-byte TLVs would be 16383 entries,
	// each an allocation, so anything past this bound is not a real image.
	MaxTLVs = 64

	// MaxDependencies bounds the DEPENDENCY TLVs Sign writes: one per
	// other image in a multi-image build, and MCUboot builds with more
	// than a handful of updateable images do not exist; imgtool's own
	// limit is the protected area's 64 KiB.
	MaxDependencies = 16
)
