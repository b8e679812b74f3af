package esp_test

import (
	"bytes"
	"errors"
	"testing"

	"signbox/device/esp"
)

// CRC vectors from esp-idf-formats.md section 5 (computed with
// binary.crc32(le32(seq), 0xFFFFFFFF), i.e. esp_rom_crc32_le(UINT32_MAX, ...)).
func TestOTACRCVectors(t *testing.T) {
	for seq, want := range map[uint32]uint32{1: 0x4743989A, 2: 0x55F63774, 3: 0xED4A5011, 4: 0x709D68A8} {
		if got := esp.OTACRC(seq); got != want {
			t.Errorf("seq %d: crc %#08x, want %#08x", seq, got, want)
		}
	}
}

func TestOTAEntryRoundTrip(t *testing.T) {
	e := esp.NewOTAEntry(3, esp.OTAPendingVerify)
	b := esp.EncodeOTAEntry(e)
	want := []byte{3, 0, 0, 0}
	want = append(want, bytes.Repeat([]byte{0xFF}, 20)...)
	want = append(want, 1, 0, 0, 0, 0x11, 0x50, 0x4A, 0xED)
	if !bytes.Equal(b[:], want) {
		t.Fatalf("encoded % x\nwant    % x", b, want)
	}
	got, err := esp.DecodeOTAEntry(b[:])
	if err != nil || got != e || !got.CRCValid() || !got.Usable() {
		t.Fatalf("decode: %+v, %v", got, err)
	}
}

func TestOTAEntryUsable(t *testing.T) {
	bad := esp.NewOTAEntry(2, esp.OTAValid)
	bad.CRC ^= 1
	erased, _ := esp.DecodeOTAEntry(bytes.Repeat([]byte{0xFF}, 32))
	tests := []struct {
		name   string
		e      esp.OTAEntry
		usable bool
	}{
		{"new", esp.NewOTAEntry(1, esp.OTANew), true},
		{"valid", esp.NewOTAEntry(1, esp.OTAValid), true},
		{"undefined state", esp.NewOTAEntry(1, esp.OTAUndefined), true},
		{"invalid", esp.NewOTAEntry(1, esp.OTAInvalid), false},
		{"aborted", esp.NewOTAEntry(1, esp.OTAAborted), false},
		{"bad crc", bad, false},
		{"erased", erased, false},
	}
	for _, tt := range tests {
		if tt.e.Usable() != tt.usable {
			t.Errorf("%s: usable = %v", tt.name, !tt.usable)
		}
	}
	if !erased.Erased() || esp.NewOTAEntry(1, esp.OTANew).Erased() {
		t.Error("Erased wrong")
	}
}

func TestOTAData(t *testing.T) {
	entries := [2]esp.OTAEntry{esp.NewOTAEntry(5, esp.OTAValid), esp.NewOTAEntry(6, esp.OTANew)}
	b := esp.EncodeOTAData(entries)
	if len(b) != 0x2000 || b[32] != 0xFF || b[0x1000] != 6 || b[0x1020] != 0xFF {
		t.Fatal("layout")
	}
	got, err := esp.DecodeOTAData(b)
	if err != nil || got != entries {
		t.Fatalf("%+v, %v", got, err)
	}
	if _, err := esp.DecodeOTAData(b[:100]); !errors.Is(err, esp.ErrOTAEntry) {
		t.Errorf("short: %v", err)
	}
	if _, err := esp.DecodeOTAEntry(b[:31]); !errors.Is(err, esp.ErrOTAEntry) {
		t.Errorf("short entry: %v", err)
	}
	if esp.OTAPendingVerify.String() != "PENDING_VERIFY" || esp.OTAState(9).String() != "state(0x9)" {
		t.Error("names")
	}
}
