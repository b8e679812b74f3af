package esp_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

// FuzzDecodeOTAData: otadata comes off a device's flash. Decoding never
// panics, and every decoded entry encodes back to the bytes it came from.
func FuzzDecodeOTAData(f *testing.F) {
	f.Add(esp.EncodeOTAData([2]esp.OTAEntry{esp.NewOTAEntry(1, esp.OTAValid), esp.NewOTAEntry(2, esp.OTANew)}))
	f.Add(esp.EncodeOTAData([2]esp.OTAEntry{esp.NewOTAEntry(7, esp.OTAPendingVerify), {Seq: 0xFFFFFFFF, State: esp.OTAUndefined, CRC: 0xFFFFFFFF}}))
	f.Add(bytes.Repeat([]byte{0xFF}, esp.OTADataSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		ents, err := esp.DecodeOTAData(b)
		if err != nil {
			if !errors.Is(err, esp.ErrOTAEntry) {
				t.Fatalf("error %v is not esp.ErrOTAEntry", err)
			}
			return
		}
		for i, e := range ents {
			enc := esp.EncodeOTAEntry(e)
			if !bytes.Equal(enc[:], b[i*esp.SectorSize:i*esp.SectorSize+esp.OTAEntrySize]) {
				t.Fatalf("entry %d does not round-trip", i)
			}
			_ = e.Usable()
			_ = e.Erased()
		}
	})
}

// FuzzParseFlash: a slot's flash region is read as the bootloader reads
// it (image, then whatever follows as the signature sector). Parsing never
// panics, what parses never claims more bytes than the partition has, and
// verification of what parses never panics either.
func FuzzParseFlash(f *testing.F) {
	for _, b := range seedFiles(f, filepath.Join(vecDir, "*.signed.bin")) {
		f.Add(append(b, bytes.Repeat([]byte{0xFF}, 4096)...))
		f.Add(b)
	}
	f.Add(esptest.App(1024, 1))
	var digests [3][32]byte
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := esp.ParseFlash(b)
		if err != nil {
			return
		}
		if len(img.Bytes()) > len(b) {
			t.Fatalf("image claims %d bytes of a %d-byte partition", len(img.Bytes()), len(b))
		}
		if img.Signed() {
			_, _ = img.VerifyDigests(digests, [3]bool{})
		}
	})
}
