package mcuboot

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Header constants (image.h at v2.4.0; mcuboot-formats.md §1). Every
// field is little-endian.
const (
	// ImageMagic is ih_magic, on disk 3d b8 f3 96.
	ImageMagic = 0x96f3b83d
	// imageMagicV1 is image.h's legacy IMAGE_MAGIC_V1; imgtool never
	// writes it and it is refused, but named in the error.
	imageMagicV1 = 0x96f3b83c
	headerLen    = 32
)

// Header offsets (struct image_header, image.h; mcuboot-formats.md §1).
const (
	offMagic     = 0x00
	offLoadAddr  = 0x04
	offHdrSize   = 0x08
	offProtSize  = 0x0a
	offImgSize   = 0x0c
	offFlags     = 0x10
	offVersion   = 0x14
	offPad1      = 0x1c
	versionBytes = 8
)

// Header is struct image_header, the 32 bytes at the start of an image.
// The bytes from 32 up to HeaderSize are padding inside the hashed region.
type Header struct {
	LoadAddr         uint32 // ih_load_addr: RAM address with FlagRAMLoad, flash address with FlagROMFixed
	HeaderSize       uint16 // ih_hdr_size: offset of the body
	ProtectedTLVSize uint16 // ih_protect_tlv_size: whole protected area incl. its info header, 0 if none
	ImageSize        uint32 // ih_img_size: body only
	Flags            Flags  // ih_flags
	Version          Version
}

// Flags are ih_flags bits (image.h IMAGE_F_*; mcuboot-formats.md §1).
type Flags uint32

const (
	FlagPIC                Flags = 0x001 // not supported by the bootloader
	FlagEncryptedAES128    Flags = 0x004
	FlagEncryptedAES256    Flags = 0x008
	FlagNonBootable        Flags = 0x010
	FlagRAMLoad            Flags = 0x020
	FlagROMFixed           Flags = 0x100
	FlagCompressedLZMA1    Flags = 0x200
	FlagCompressedLZMA2    Flags = 0x400
	FlagCompressedARMThumb Flags = 0x800

	knownFlags = FlagPIC | FlagEncryptedAES128 | FlagEncryptedAES256 | FlagNonBootable |
		FlagRAMLoad | FlagROMFixed | FlagCompressedLZMA1 | FlagCompressedLZMA2 | FlagCompressedARMThumb
	encryptedFlags = FlagEncryptedAES128 | FlagEncryptedAES256
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagPIC, "PIC"}, {FlagEncryptedAES128, "ENCRYPTED_AES128"}, {FlagEncryptedAES256, "ENCRYPTED_AES256"},
	{FlagNonBootable, "NON_BOOTABLE"}, {FlagRAMLoad, "RAM_LOAD"}, {FlagROMFixed, "ROM_FIXED"},
	{FlagCompressedLZMA1, "COMPRESSED_LZMA1"}, {FlagCompressedLZMA2, "COMPRESSED_LZMA2"},
	{FlagCompressedARMThumb, "COMPRESSED_ARM_THUMB"},
}

// String names the set bits as image.h does, "|"-separated, or "none".
func (f Flags) String() string {
	var names []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	if rest := f &^ knownFlags; rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint32(rest)))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

func parseHeader(b []byte) (Header, error) {
	if len(b) < headerLen {
		return Header{}, formatErr(0, "image header", ErrTruncated, "file is %d bytes, the header needs %d", len(b), headerLen)
	}
	switch m := le32(b, offMagic); m {
	case ImageMagic:
	case imageMagicV1:
		return Header{}, formatErr(offMagic, "ih_magic", ErrBadMagic, "legacy v1 magic %#08x, imgtool v2 writes %#08x", m, ImageMagic)
	default:
		return Header{}, formatErr(offMagic, "ih_magic", ErrBadMagic, "got %#08x, want %#08x", m, ImageMagic)
	}
	h := Header{
		LoadAddr:         le32(b, offLoadAddr),
		HeaderSize:       binary.LittleEndian.Uint16(b[offHdrSize:]),
		ProtectedTLVSize: binary.LittleEndian.Uint16(b[offProtSize:]),
		ImageSize:        le32(b, offImgSize),
		Flags:            Flags(le32(b, offFlags)),
		Version:          decodeVersion(b[offVersion:]),
	}
	return h, h.check(le32(b, offPad1))
}

// check applies the rules imgtool and the bootloader share: a header of
// at least 32 bytes, known flags only, zero padding word.
func (h Header) check(pad1 uint32) error {
	if h.HeaderSize < MinHeaderSize {
		return formatErr(offHdrSize, "ih_hdr_size", ErrBadHeader, "%d, at least %d", h.HeaderSize, MinHeaderSize)
	}
	if rest := h.Flags &^ knownFlags; rest != 0 {
		return formatErr(offFlags, "ih_flags", ErrBadHeader, "unknown bits %#x", uint32(rest))
	}
	if pad1 != 0 {
		return formatErr(offPad1, "_pad1", ErrBadHeader, "%#08x, imgtool writes 0", pad1)
	}
	if h.ProtectedTLVSize != 0 && h.ProtectedTLVSize < tlvInfoLen {
		return formatErr(offProtSize, "ih_protect_tlv_size", ErrProtectedSize, "%d is smaller than the %d-byte info header", h.ProtectedTLVSize, tlvInfoLen)
	}
	return nil
}

// encode writes the 32-byte header into b.
func (h Header) encode(b []byte) {
	binary.LittleEndian.PutUint32(b[offMagic:], ImageMagic)
	binary.LittleEndian.PutUint32(b[offLoadAddr:], h.LoadAddr)
	binary.LittleEndian.PutUint16(b[offHdrSize:], h.HeaderSize)
	binary.LittleEndian.PutUint16(b[offProtSize:], h.ProtectedTLVSize)
	binary.LittleEndian.PutUint32(b[offImgSize:], h.ImageSize)
	binary.LittleEndian.PutUint32(b[offFlags:], uint32(h.Flags))
	h.Version.encode(b[offVersion:])
	binary.LittleEndian.PutUint32(b[offPad1:], 0)
}

func le32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

// Version is struct image_version (image.h): iv_major u8, iv_minor u8,
// iv_revision u16, iv_build_num u32, 8 bytes packed little-endian
// (mcuboot-formats.md §1). The same layout appears in DEPENDENCY TLVs.
type Version struct {
	Major    uint8
	Minor    uint8
	Revision uint16
	Build    uint32
}

// String formats v as imgtool's -v syntax, maj.min.rev+build.
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d+%d", v.Major, v.Minor, v.Revision, v.Build)
}

// ParseVersion reads imgtool's version syntax maj.min.rev+build, later
// parts optional ("1", "1.2", "1.2.3", "1.2.3+4"), decimal without
// leading zeros, as imgtool's version.py accepts it.
func ParseVersion(s string) (Version, error) {
	main, build, hasBuild := strings.Cut(s, "+")
	parts := strings.Split(main, ".")
	if len(parts) > 3 || (hasBuild && len(parts) != 3) {
		return Version{}, fmt.Errorf("version %q: want maj.min.rev+build with later parts optional", s)
	}
	bits := []int{8, 8, 16}
	var n [4]uint64
	for i, p := range parts {
		v, err := versionPart(p, bits[i])
		if err != nil {
			return Version{}, fmt.Errorf("version %q: %w", s, err)
		}
		n[i] = v
	}
	if hasBuild {
		v, err := versionPart(build, 32)
		if err != nil {
			return Version{}, fmt.Errorf("version %q: build: %w", s, err)
		}
		n[3] = v
	}
	return Version{uint8(n[0]), uint8(n[1]), uint16(n[2]), uint32(n[3])}, nil
}

func versionPart(p string, bits int) (uint64, error) {
	if p == "" || (len(p) > 1 && p[0] == '0') || strings.ContainsAny(p, "+-") {
		return 0, fmt.Errorf("%q is not a decimal number without leading zeros", p)
	}
	return strconv.ParseUint(p, 10, bits)
}

// AutoSecurityCounter is imgtool's `-s auto`: (major<<24)|(minor<<16)|revision,
// build ignored (mcuboot-formats.md §4).
func AutoSecurityCounter(v Version) uint32 {
	return uint32(v.Major)<<24 | uint32(v.Minor)<<16 | uint32(v.Revision)
}

func decodeVersion(b []byte) Version {
	return Version{
		Major:    b[0],
		Minor:    b[1],
		Revision: binary.LittleEndian.Uint16(b[2:]),
		Build:    binary.LittleEndian.Uint32(b[4:]),
	}
}

func (v Version) encode(b []byte) {
	b[0], b[1] = v.Major, v.Minor
	binary.LittleEndian.PutUint16(b[2:], v.Revision)
	binary.LittleEndian.PutUint32(b[4:], v.Build)
}
