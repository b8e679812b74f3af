package esp

import (
	"bytes"
	"fmt"
)

// CheckAppended checks that signed is built with nothing changed and only
// Secure Boot V2 signatures added: every byte of built as it was, 0xFF up
// to the next 4096-byte boundary, then one signature sector that parses
// (whether its signatures verify is Verify's job). built must be an
// unsigned image; a difference is reported with ErrImageChanged, naming
// the first changed byte and the field it belongs to.
func CheckAppended(built, signed []byte) error {
	img, err := ParseImage(built)
	if err != nil {
		return fmt.Errorf("built image: %w", err)
	}
	if img.Signed() {
		return fmt.Errorf("built image: %w", ErrSigned)
	}
	if want := img.PaddedLen + SectorSize; len(signed) != want {
		return fmt.Errorf("%w: %d bytes, want %d (the built %d bytes, 0xFF padding to %d, one %d-byte signature sector)",
			ErrImageChanged, len(signed), want, len(built), img.PaddedLen, SectorSize)
	}
	if i := firstDiff(built, signed); i >= 0 {
		return fmt.Errorf("%w: byte %#x (%s) is %#02x, the built image has %#02x",
			ErrImageChanged, i, img.fieldAt(i), signed[i], built[i])
	}
	pad := signed[len(built):img.PaddedLen]
	if i := firstNotFF(pad); i < len(pad) {
		return fmt.Errorf("%w: padding byte %#x is %#02x, not 0xff", ErrImageChanged, len(built)+i, pad[i])
	}
	if _, err := ParseSignatureSector(signed[img.PaddedLen:]); err != nil {
		return fmt.Errorf("%w: the appended sector: %w", ErrImageChanged, err)
	}
	return nil
}

// firstDiff is the first index where b differs from a's prefix, or -1.
func firstDiff(a, b []byte) int {
	if bytes.Equal(a, b[:len(a)]) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// field is a named byte range starting at off within a structure.
type field struct {
	off  int
	name string
}

// esp_app_desc_t and esp_bootloader_desc_t fields by offset (see
// esp-idf-formats.md §3).
var (
	appDescFields = []field{{0, "magic_word"}, {appSecVerOffset, "secure_version"}, {8, "reserv1"}, {16, "version"},
		{48, "project_name"}, {80, "time"}, {96, "date"}, {112, "idf_ver"}, {144, "app_elf_sha256"}, {176, "reserved"}}
	bootDescFields = []field{{0, "magic_byte"}, {1, "reserved"}, {bootSecVerOffset, "secure_version"}, {4, "version"},
		{8, "idf_ver"}, {40, "date_time"}, {64, "reserved"}}
)

func fieldName(fs []field, off int) string {
	name := fs[0].name
	for _, f := range fs {
		if f.off <= off {
			name = f.name
		}
	}
	return name
}

// fieldAt names the part of the image that holds byte off.
func (img *Image) fieldAt(off int) string {
	d := off - descOffset
	switch {
	case off < headerSize:
		return "esp_image_header_t"
	case off >= img.Len:
		return "padding"
	case img.Header.HashAppended && off >= img.Len-appendedHashSize:
		return "appended sha-256"
	case img.Kind == KindApp && d >= 0 && d < appDescSize:
		return "esp_app_desc_t." + fieldName(appDescFields, d)
	case img.Kind == KindBootloader && d >= 0 && d < bootDescSize:
		return "esp_bootloader_desc_t." + fieldName(bootDescFields, d)
	}
	for i, s := range img.Segments {
		if off >= s.Offset-segmentHdrSize && off < s.Offset {
			return segField(i, "header")
		}
		if off >= s.Offset && off < s.Offset+s.Len {
			return segField(i, "data")
		}
	}
	return "checksum"
}
