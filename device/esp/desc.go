package esp

import (
	"bytes"
	"encoding/binary"
)

// Descriptors sit at the start of the first segment, image offset 0x20.
const (
	descOffset = headerSize + segmentHdrSize

	appDescMagic = 0xABCD5432 // ESP_APP_DESC_MAGIC_WORD
	appDescSize  = 256

	bootDescMagic = 0x50 // ESP_BOOTLOADER_DESC_MAGIC_BYTE
	bootDescSize  = 80

	appSecVerOffset  = 4 // secure_version u32 in esp_app_desc_t
	bootSecVerOffset = 3 // secure_version u8 in esp_bootloader_desc_t
)

// Kind says whether an image is an application or a 2nd-stage bootloader,
// as told by the descriptor at the start of its first segment.
type Kind int

const (
	KindApp Kind = iota + 1
	KindBootloader
)

func (k Kind) String() string {
	switch k {
	case KindApp:
		return "app"
	case KindBootloader:
		return "bootloader"
	}
	return "unknown"
}

// AppDesc is esp_app_desc_t. Fields after offset 176 vary with the IDF
// version that built the image and are kept raw.
type AppDesc struct {
	SecureVersion      uint32
	Version            string
	ProjectName        string
	Time               string
	Date               string
	IDFVersion         string
	ELFSHA256          [32]byte
	MinEfuseBlkRevFull uint16
	MaxEfuseBlkRevFull uint16
	MMUPageSizeLog2    byte
}

// BootloaderDesc is esp_bootloader_desc_t.
type BootloaderDesc struct {
	SecureVersion uint8
	Version       uint32
	IDFVersion    string
	DateTime      string
}

// cstr returns a fixed-size C string field up to its first NUL.
func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func parseAppDesc(d []byte) *AppDesc {
	a := &AppDesc{
		SecureVersion:      binary.LittleEndian.Uint32(d[4:]),
		Version:            cstr(d[16:48]),
		ProjectName:        cstr(d[48:80]),
		Time:               cstr(d[80:96]),
		Date:               cstr(d[96:112]),
		IDFVersion:         cstr(d[112:144]),
		MinEfuseBlkRevFull: binary.LittleEndian.Uint16(d[176:]),
		MaxEfuseBlkRevFull: binary.LittleEndian.Uint16(d[178:]),
		MMUPageSizeLog2:    d[180],
	}
	copy(a.ELFSHA256[:], d[144:176])
	return a
}

func parseBootDesc(d []byte) *BootloaderDesc {
	return &BootloaderDesc{
		SecureVersion: d[3],
		Version:       binary.LittleEndian.Uint32(d[4:]),
		IDFVersion:    cstr(d[8:40]),
		DateTime:      cstr(d[40:64]),
	}
}

// parseDesc finds the descriptor in the first segment's data.
//
// An image with neither descriptor is read as esptool image_info reads
// it (it prints a descriptor only when its magic matches, and nothing
// otherwise): a bootloader built by ESP-IDF before v5.1, which had no
// esp_bootloader_desc_t. Kind is then KindBootloader with a nil
// Bootloader and secure version 0. It cannot pass for an app: every
// ESP-IDF app starts with esp_app_desc_t, and the bootloader reads its
// secure_version from there.
func parseDesc(img *Image, first []byte) {
	switch {
	case len(first) >= appDescSize && binary.LittleEndian.Uint32(first) == appDescMagic:
		img.Kind, img.App = KindApp, parseAppDesc(first)
	case len(first) >= bootDescSize && first[0] == bootDescMagic:
		img.Kind, img.Bootloader = KindBootloader, parseBootDesc(first)
	default:
		img.Kind = KindBootloader
	}
}

// HasDescriptor reports whether the image carries esp_app_desc_t or
// esp_bootloader_desc_t; false for a bootloader built before ESP-IDF v5.1.
func (img *Image) HasDescriptor() bool { return img.App != nil || img.Bootloader != nil }
