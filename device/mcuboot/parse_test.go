package mcuboot_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"signbox/device/mcuboot"
)

// smallImage is an Ed25519 image with a 0x20 header and a 100-byte body,
// so every offset in the tests below is easy to check by hand:
//
//	0x00 header   0x20 body   0x84 protected area (28 bytes: SEC_CNT 5,
//	DEPENDENCY (1, 2.0.0+7))   0xa0 unprotected info   0xa4 SHA256 TLV
//	0xc8 KEYHASH TLV   0xec ED25519 TLV   0x130 end
func smallImage(t testing.TB) []byte {
	opts := baseOpts()
	opts.HeaderSize = 0x20
	return sign(t, "ed25519", body(100, 2), opts)
}

func put16(off int, v uint16) func([]byte) []byte {
	return func(b []byte) []byte { binary.LittleEndian.PutUint16(b[off:], v); return b }
}

func put32(off int, v uint32) func([]byte) []byte {
	return func(b []byte) []byte { binary.LittleEndian.PutUint32(b[off:], v); return b }
}

func setByte(off int, v byte) func([]byte) []byte {
	return func(b []byte) []byte { b[off] = v; return b }
}

// TestParseRefusals: every malformation is refused with the field, the
// offset and the reason.
func TestParseRefusals(t *testing.T) {
	base := smallImage(t)
	if len(base) != 0x130 {
		t.Fatalf("small image is %#x bytes, the offsets below assume 0x130", len(base))
	}
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		is     error
		want   string
	}{
		{"empty", func([]byte) []byte { return nil }, mcuboot.ErrTruncated,
			"image header at offset 0x0: truncated (file is 0 bytes, the header needs 32)"},
		{"bad magic", setByte(0, 0), mcuboot.ErrBadMagic,
			"ih_magic at offset 0x0: bad image magic (got 0x96f3b800, want 0x96f3b83d)"},
		{"v1 magic", setByte(0, 0x3c), mcuboot.ErrBadMagic,
			"ih_magic at offset 0x0: bad image magic (legacy v1 magic 0x96f3b83c, imgtool v2 writes 0x96f3b83d)"},
		{"header too small", put16(8, 16), mcuboot.ErrBadHeader,
			"ih_hdr_size at offset 0x8: bad header field (16, at least 32)"},
		{"unknown flag", put32(0x10, 2), mcuboot.ErrBadHeader,
			"ih_flags at offset 0x10: bad header field (unknown bits 0x2)"},
		{"pad word", put32(0x1c, 1), mcuboot.ErrBadHeader,
			"_pad1 at offset 0x1c: bad header field (0x00000001, imgtool writes 0)"},
		{"protected size below info", put16(0xa, 2), mcuboot.ErrProtectedSize,
			"ih_protect_tlv_size at offset 0xa: protected TLV area size does not match the header (2 is smaller than the 4-byte info header)"},
		{"header past end", put16(8, 0x200), mcuboot.ErrTruncated,
			"ih_hdr_size at offset 0x8: truncated (0x200, file ends at 0x130)"},
		{"body past end", put32(0xc, 0x1000), mcuboot.ErrTruncated,
			"ih_img_size at offset 0xc: truncated (body 0x20..0x1020, file ends at 0x130)"},
		{"no TLV area", func(b []byte) []byte { return b[:0x84] }, mcuboot.ErrTruncated,
			"TLV info at offset 0x84: truncated (no TLV area after the body, file ends at 0x84)"},
		{"protected size mismatch", put16(0xa, 24), mcuboot.ErrProtectedSize,
			"protected it_tlv_tot at offset 0x86: protected TLV area size does not match the header (area is 28 bytes, ih_protect_tlv_size is 24)"},
		{"protected size without area", put16(0x84, 0x6907), mcuboot.ErrProtectedSize,
			"protected it_magic at offset 0x84: protected TLV area size does not match the header (ih_protect_tlv_size is 28 but no 0x6908 area follows the body)"},
		{"bad unprotected magic", setByte(0xa1, 0xff), mcuboot.ErrTLVInfoMagic,
			"unprotected it_magic at offset 0xa0: bad TLV info magic (got 0xff07, want 0x6907)"},
		{"area total below info", put16(0xa2, 3), mcuboot.ErrTLVLength,
			"unprotected it_tlv_tot at offset 0xa2: bad TLV length (3 is smaller than the 4-byte info header)"},
		{"area past end", put16(0xa2, 0x1000), mcuboot.ErrTruncated,
			"unprotected it_tlv_tot at offset 0xa2: truncated (area of 4096 bytes from 0xa0, file ends at 0x130)"},
		{"TLV overrun", put16(0xee, 0xff), mcuboot.ErrTLVOverrun,
			"unprotected TLV ED25519 it_len at offset 0xee: TLV runs past the end of its area (255 bytes from 0xf0, area ends at 0x130)"},
		{"TLV header overrun", func(b []byte) []byte { return put16(0xa2, 0x4e)(b)[:0xee] }, mcuboot.ErrTLVOverrun,
			"unprotected TLV header at offset 0xec: TLV runs past the end of its area (2 bytes left in the area, a TLV header needs 4)"},
		{"trailing data", func(b []byte) []byte { return append(b, 0xff) }, mcuboot.ErrTrailingData,
			"end of image at offset 0x130: unexpected data after the TLV area (1 bytes after the unprotected TLV area)"},
		{"hash TLV in protected area", put16(0x88, 0x10), mcuboot.ErrMisplacedTLV,
			"protected TLV SHA256 at offset 0x88: TLV in the wrong area (SHA256 belongs in the unprotected area)"},
		{"counter in unprotected area", put16(0xc8, 0x50), mcuboot.ErrMisplacedTLV,
			"unprotected TLV SEC_CNT at offset 0xc8: TLV in the wrong area (SEC_CNT belongs in the protected area)"},
		{"hash length", put16(0xa4, 0x11), mcuboot.ErrTLVLength,
			"unprotected TLV SHA384 it_len at offset 0xa6: bad TLV length (32, want one of [48])"},
		{"second hash", put16(0xc8, 0x10), mcuboot.ErrDuplicateTLV,
			"unprotected TLV SHA256 at offset 0xc8: duplicate TLV (second image hash TLV (first was SHA256))"},
		{"dependency padding", setByte(0x95, 1), mcuboot.ErrBadTLV,
			"DEPENDENCY _pad at offset 0x95: malformed TLV value (01 00 00, imgtool writes zeros)"},
		{"too large", func([]byte) []byte { return make([]byte, mcuboot.MaxImageSize+1) }, mcuboot.ErrTooLarge,
			"image at offset 0x0: image too large (33554433 bytes, at most 33554432)"},
		{"too many TLVs", manyTLVs, mcuboot.ErrTooManyTLVs,
			"unprotected TLV at offset 0x124: too many TLVs (more than 64)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mcuboot.Parse(tt.mutate(slices.Clone(base)))
			var fe *mcuboot.FormatError
			if !errors.Is(err, tt.is) || !errors.As(err, &fe) || err.Error() != tt.want {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}

// manyTLVs is a header, an empty body and an unprotected area of
// MaxTLVs+1 empty vendor TLVs.
func manyTLVs([]byte) []byte {
	b := make([]byte, 32)
	binary.LittleEndian.PutUint32(b, mcuboot.ImageMagic)
	binary.LittleEndian.PutUint16(b[8:], 32)
	n := mcuboot.MaxTLVs + 1
	b = binary.LittleEndian.AppendUint16(b, mcuboot.TLVInfoMagic)
	b = binary.LittleEndian.AppendUint16(b, uint16(4+4*n))
	for range n {
		b = append(b, 0xa0, 0, 0, 0)
	}
	return b
}

// TestParseSlot: an image followed by a slot's erased space and trailer
// parses with ParseSlot, not with Parse.
func TestParseSlot(t *testing.T) {
	img := smallImage(t)
	slot := append(slices.Clone(img), bytes.Repeat([]byte{0xff}, 4096)...)
	p, err := mcuboot.ParseSlot(slot)
	if err != nil || p.Len != len(img) || !bytes.Equal(p.Bytes(), img) {
		t.Fatalf("ParseSlot: %v, Len %d", err, p.Len)
	}
	if _, err := mcuboot.Parse(slot); !errors.Is(err, mcuboot.ErrTrailingData) {
		t.Fatalf("Parse: %v", err)
	}
}

// TestParseFields checks what Parse reports for the small image.
func TestParseFields(t *testing.T) {
	img, err := mcuboot.Parse(smallImage(t))
	if err != nil {
		t.Fatal(err)
	}
	want := mcuboot.Header{HeaderSize: 0x20, ProtectedTLVSize: 28, ImageSize: 100,
		Version: mcuboot.Version{Major: 1, Minor: 2, Revision: 3, Build: 4}}
	if img.Header != want || img.HashedLen() != 0xa0 || img.Len != 0x130 {
		t.Fatalf("header %+v hashed %#x len %#x", img.Header, img.HashedLen(), img.Len)
	}
	if !img.HasSecurityCounter || img.SecurityCounter != 5 || len(img.Dependencies) != 1 ||
		img.Dependencies[0].String() != "image 1 >= 2.0.0+7" || !bytes.Equal(img.Body(), body(100, 2)) {
		t.Fatalf("counter %d %v, dependencies %v", img.SecurityCounter, img.HasSecurityCounter, img.Dependencies)
	}
	var types []mcuboot.TLVType
	for _, tl := range append(img.Protected, img.Unprotected...) {
		types = append(types, tl.Type)
	}
	if !slices.Equal(types, []mcuboot.TLVType{mcuboot.TLVSecCnt, mcuboot.TLVDependency, mcuboot.TLVSHA256, mcuboot.TLVKeyHash, mcuboot.TLVEd25519}) {
		t.Fatalf("TLVs %v", types)
	}
}

// TestParseVersion follows imgtool's version.py: maj.min.rev+build with
// later parts optional, no leading zeros, build only after revision.
func TestParseVersion(t *testing.T) {
	good := map[string]mcuboot.Version{
		"0":                        {},
		"1":                        {Major: 1},
		"1.2":                      {Major: 1, Minor: 2},
		"1.2.3":                    {Major: 1, Minor: 2, Revision: 3},
		"1.2.3+4":                  {Major: 1, Minor: 2, Revision: 3, Build: 4},
		"255.255.65535+4294967295": {Major: 255, Minor: 255, Revision: 65535, Build: 4294967295},
	}
	for s, want := range good {
		if got, err := mcuboot.ParseVersion(s); err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "1.", "01", "1.2+3", "1.2.3.4", "256", "1.256", "1.2.65536", "1.2.3+4294967296", "-1", "+1", "1.2.3+", "a"} {
		if v, err := mcuboot.ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) = %v, want an error", s, v)
		}
	}
	if got := mcuboot.AutoSecurityCounter(mcuboot.Version{Major: 1, Minor: 2, Revision: 3, Build: 4}); got != 0x01020003 {
		t.Errorf("AutoSecurityCounter(1.2.3+4) = %#x, want 0x01020003 (mcuboot-formats.md §4)", got)
	}
}

// TestInfoTampered: Info says when the hash TLV does not match the image.
func TestInfoTampered(t *testing.T) {
	b := smallImage(t)
	b[0x30] ^= 1
	img, err := mcuboot.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if info := img.Info(); !strings.Contains(info, "(DOES NOT match the image)") {
		t.Fatalf("Info:\n%s", info)
	}
	if got := (mcuboot.FlagRAMLoad | mcuboot.FlagEncryptedAES128 | 0x2).String(); got != "ENCRYPTED_AES128|RAM_LOAD|0x2" {
		t.Fatalf("Flags.String() = %q", got)
	}
}
