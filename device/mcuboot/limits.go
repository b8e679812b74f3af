package mcuboot

// Bounds on what the parser and signer accept, each with its reason. The
// format's own field widths bound the rest: a header is at most 0xFFFF
// bytes (ih_hdr_size is a u16) and each TLV area at most 0xFFFF bytes
// including its info header (it_tlv_tot is a u16).
const (
	// MaxImageSize bounds a whole file (header, body and TLV areas, or a
	// whole slot for ParseSlot). The parts issue 21 targets (nRF52/53/91,
	// STM32, NXP) have a few MiB of flash at most, so 32 MiB (the ESP
	// bound too) is far above any slot, and it keeps a hostile file from
	// making us hash gigabytes; ih_img_size itself must fit in the file.
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
	// other image of a multi-image build (Zephyr UPDATEABLE_IMAGE_NUMBER),
	// so a product needs a few; 16 leaves room while keeping well under
	// MaxTLVs. imgtool's only limit is the protected area's 64 KiB.
	MaxDependencies = 16
)
