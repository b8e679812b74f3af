package esp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// reseal fixes the checksum and appended hash of an esptest image after a
// test edits it, so the edit under test is the only thing wrong.
func reseal(b []byte) []byte {
	off := 24
	sum := byte(0xEF)
	for i := 0; i < int(b[1]); i++ {
		n := int(binary.LittleEndian.Uint32(b[off+4:]))
		for _, c := range b[off+8 : off+8+n] {
			sum ^= c
		}
		off += 8 + n
	}
	cs := (off+1+15)/16*16 - 1
	b[cs] = sum
	h := sha256.Sum256(b[:cs+1])
	copy(b[cs+1:], h[:])
	return b
}

func TestParseImageMalformed(t *testing.T) {
	good := esptest.App(4000, 1)
	img, err := esp.ParseImage(good)
	if err != nil {
		t.Fatal(err)
	}
	seg1Hdr := img.Segments[1].Offset - 8
	edit := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, esp.ErrTruncated},
		{"short header", good[:23], esp.ErrTruncated},
		{"bad magic", edit(func(b []byte) []byte { b[0] = 0xEA; return b }), esp.ErrBadMagic},
		{"17 segments", edit(func(b []byte) []byte { b[1] = 17; return b }), esp.ErrTooManySegments},
		{"hash_appended 2", edit(func(b []byte) []byte { b[23] = 2; return b }), esp.ErrBadHeader},
		{"segment header cut", good[:seg1Hdr+4], esp.ErrTruncated},
		{"segment past end", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[seg1Hdr+4:], 1<<20)
			return b
		}), esp.ErrSegmentPastEnd},
		{"segment length huge", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[seg1Hdr+4:], 0xFFFFFFFC)
			return b
		}), esp.ErrSegmentPastEnd},
		{"misaligned segment", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[seg1Hdr+4:], 1001)
			return b
		}), esp.ErrMisalignedSegment},
		{"checksum", edit(func(b []byte) []byte { b[100] ^= 1; return b }), esp.ErrChecksum},
		{"hash", edit(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), esp.ErrHashMismatch},
		{"no checksum", good[:len(good)-33], esp.ErrTruncated},
		{"hash cut", good[:len(good)-1], esp.ErrTruncated},
		{"no segments", reseal(append([]byte{0xE9, 0}, append(slices.Clone(good[2:24]), make([]byte, 40)...)...)), esp.ErrNoDescriptor},
		{"trailing garbage", append(slices.Clone(good), 0), esp.ErrTrailingData},
		{"sector too short", append(append(slices.Clone(good), bytes.Repeat([]byte{0xFF}, 4096-len(good))...), make([]byte, 100)...), esp.ErrTrailingData},
		{"too large", make([]byte, esp.MaxImageSize+1), esp.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := esp.ParseImage(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var fe *esp.FormatError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("%v is not a *FormatError naming a field", err)
			}
		})
	}
}

func TestParseImageTails(t *testing.T) {
	good := esptest.App(4000, 1)
	padded := append(slices.Clone(good), bytes.Repeat([]byte{0xFF}, 4096-len(good))...)
	for name, in := range map[string][]byte{"exact": good, "partly padded": padded[:4090], "padded": padded} {
		img, err := esp.ParseImage(in)
		if err != nil || img.Signed() || img.Len != len(good) || img.PaddedLen != 4096 {
			t.Errorf("%s: %v", name, err)
		}
	}
	// ParseFlash takes the sector at the padded length and ignores the rest.
	part := append(slices.Clone(padded), bytes.Repeat([]byte{0xFF}, 3*4096)...)
	img, err := esp.ParseFlash(part)
	if err != nil || len(img.Sector) != 4096 {
		t.Fatalf("ParseFlash: %v", err)
	}
	if _, err := img.Signatures(); !errors.Is(err, esp.ErrNoBlock) {
		t.Errorf("erased sector: %v, want ErrNoBlock", err)
	}
}

// TestBuilderMatchesVectorLayout: esptest images have the vectors'
// header and segment layout, the requested size and version, and are
// deterministic.
func TestBuilder(t *testing.T) {
	vec, _ := esp.ParseImage(readFile(t, vecDir+"/app-sv3.bin"))
	for _, o := range []esptest.Options{
		{Size: 150016, SecureVersion: 3},
		{Size: 1 << 20, Chip: esp.ESP32C6},
		{Size: 2001, Kind: esp.KindBootloader, SecureVersion: 255},
		{Size: 4096, UseESP32: true},
	} {
		b, err := esptest.Build(o)
		if err != nil {
			t.Fatal(err)
		}
		img, err := esp.ParseImage(b)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if len(b) != (o.Size+15)/16*16 || img.SecureVersion() != o.SecureVersion {
			t.Errorf("%+v: len %d version %d", o, len(b), img.SecureVersion())
		}
		if o.Size == 150016 && (img.Header != vec.Header || len(img.Segments) != 2 || img.Segments[0].LoadAddr != vec.Segments[0].LoadAddr) {
			t.Errorf("header %+v, vector %+v", img.Header, vec.Header)
		}
		if again, _ := esptest.Build(o); !bytes.Equal(again, b) {
			t.Error("not deterministic")
		}
	}
}
