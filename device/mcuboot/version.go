package mcuboot

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

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
