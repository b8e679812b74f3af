package esp

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
)

// WithSecureVersion returns a copy of an unsigned image file with the
// descriptor's secure_version set to v and the checksum and appended
// SHA-256 redone; every other byte is unchanged (0xFF padding after the
// image included). A signed image is refused with ErrSigned: changing it
// would break its signatures, so set the version first and sign after.
// A bootloader's secure_version is one byte, so v must be below 256 there.
func WithSecureVersion(file []byte, v uint32) ([]byte, error) {
	img, err := ParseImage(file)
	if err != nil {
		return nil, err
	}
	if img.Signed() {
		return nil, fmt.Errorf("set secure version: %w", ErrSigned)
	}
	if !img.HasDescriptor() {
		return nil, fmt.Errorf("set secure version: %w: a bootloader built before ESP-IDF v5.1 has no field for it", ErrNoDescriptor)
	}
	out := slices.Clone(file)
	first := img.Segments[0].Offset
	switch img.Kind {
	case KindApp:
		binary.LittleEndian.PutUint32(out[first+appSecVerOffset:], v)
	case KindBootloader:
		if v > 0xFF {
			return nil, fmt.Errorf("%w: bootloader secure_version is one byte, got %d", ErrSecureVersion, v)
		}
		out[first+bootSecVerOffset] = byte(v)
	}
	img.reseal(out)
	return out, nil
}

// reseal recomputes the checksum and appended hash of out, which has
// img's layout.
func (img *Image) reseal(out []byte) {
	sum := byte(checksumSeed)
	for _, s := range img.Segments {
		sum = xorBytes(sum, out[s.Offset:s.Offset+s.Len])
	}
	cs := img.Len - 1
	if img.Header.HashAppended {
		cs -= appendedHashSize
	}
	out[cs] = sum
	if img.Header.HashAppended {
		h := sha256.Sum256(out[:cs+1])
		copy(out[cs+1:], h[:])
	}
}
