package esp

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"testing"
)

func vectorSector(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(b[len(b)-SectorSize:])
}

func TestParseSignatureSectorErrors(t *testing.T) {
	rsa1 := vectorSector(t, "app-sv3.rsa.signed.bin")
	rsa3 := vectorSector(t, "app-sv3.rsa3.signed.bin")
	ff := bytes.Repeat([]byte{0xFF}, SectorSize)
	edit := func(src []byte, f func(b []byte)) []byte { b := slices.Clone(src); f(b); return b }
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"short", rsa1[:4095], ErrTruncated},
		{"erased", ff, ErrNoBlock},
		{"gap", edit(rsa3, func(b []byte) { copy(b[BlockSize:], ff[:BlockSize]) }), ErrTrailingData},
		{"tail", edit(rsa1, func(b []byte) { b[SectorSize-1] = 0 }), ErrTrailingData},
	}
	for _, tt := range tests {
		if _, err := ParseSignatureSector(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestParseBlockErrors: broken blocks are reported per block (with the
// CRC redone, so the field check itself is what fires).
func TestParseBlockErrors(t *testing.T) {
	rsa1 := vectorSector(t, "app-sv3.rsa.signed.bin")
	p256 := vectorSector(t, "app-sv4-c6.p256.signed.bin")
	p384 := vectorSector(t, "app-sv4-c6.p384.signed.bin")
	block := func(src []byte, f func(b []byte)) []byte {
		b := slices.Clone(src[:BlockSize])
		f(b)
		putCRC(b)
		return b
	}
	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"magic", block(rsa1, func(b []byte) { b[0] = 0xE8 }), ErrBadMagic},
		{"sb v1", block(rsa1, func(b []byte) { b[1] = 1 }), ErrBlockVersion},
		{"rsa reserved", block(rsa1, func(b []byte) { b[3] = 1 }), ErrBlockFields},
		{"rsa rinv", block(rsa1, func(b []byte) { b[rsaOffRinv] ^= 1 }), ErrBlockFields},
		{"rsa mdash", block(rsa1, func(b []byte) { b[rsaOffMdash] ^= 1 }), ErrBlockFields},
		{"rsa short modulus", block(rsa1, func(b []byte) { b[rsaOffE-1] = 0 }), ErrUnsupportedKey},
		{"crc padding", block(rsa1, func(b []byte) { b[1210] = 1 }), ErrBlockFields},
		{"bad crc", slices.Concat(rsa1[:blockCRCOff], []byte{0, 0, 0, 0}, rsa1[blockCRCOff+4:BlockSize]), ErrBlockCRC},
		{"p256 curve id", block(p256, func(b []byte) { b[36] = 3 }), ErrBlockFields},
		{"p256 off curve", block(p256, func(b []byte) { b[40] ^= 1 }), ErrBlockFields},
		{"p256 nonzero tail", block(p256, func(b []byte) { b[500] = 1 }), ErrBlockFields},
		{"p256 first byte after the signature", block(p256, func(b []byte) { b[ecLayouts[SchemeECDSAP256].end()] = 1 }), ErrBlockFields},
		{"p384 first byte after the signature", block(p384, func(b []byte) { b[ecLayouts[SchemeECDSAP384].end()] = 1 }), ErrBlockFields},
		{"p384 sha version", block(p384, func(b []byte) { b[2] = 0 }), ErrBlockFields},
		{"p192", block(p256, func(b []byte) { b[36] = 1; clear(b[37+48 : 37+64]); clear(b[101+48 : 165]) }), ErrUnsupportedKey},
	}
	for _, tt := range tests {
		blk := parseBlock(0, tt.raw)
		var be *BlockError
		if !errors.Is(blk.Err, tt.want) || !errors.As(blk.Err, &be) {
			t.Errorf("%s: got %v, want %v", tt.name, blk.Err, tt.want)
		}
	}
}
