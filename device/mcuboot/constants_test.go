package mcuboot_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"signbox/device/mcuboot"
)

// TestConstantsMatchDoc cross-checks every format constant against
// mcuboot-formats.md (which cites image.h and imgtool at v2.4.0).
func TestConstantsMatchDoc(t *testing.T) {
	tests := []struct {
		name     string
		got, doc uint64
		section  string
	}{
		{"ih_magic", mcuboot.ImageMagic, 0x96f3b83d, "§1 ih_magic"},
		{"IMAGE_HEADER_SIZE", mcuboot.MinHeaderSize, 32, "§1 title, 32 bytes"},
		{"IMAGE_TLV_INFO_MAGIC", mcuboot.TLVInfoMagic, 0x6907, "§2 layout"},
		{"IMAGE_TLV_PROT_INFO_MAGIC", mcuboot.TLVProtInfoMagic, 0x6908, "§2 layout"},
		{"IMAGE_F_PIC", uint64(mcuboot.FlagPIC), 0x1, "§1 ih_flags"},
		{"IMAGE_F_ENCRYPTED_AES128", uint64(mcuboot.FlagEncryptedAES128), 0x4, "§1 ih_flags"},
		{"IMAGE_F_ENCRYPTED_AES256", uint64(mcuboot.FlagEncryptedAES256), 0x8, "§1 ih_flags"},
		{"IMAGE_F_NON_BOOTABLE", uint64(mcuboot.FlagNonBootable), 0x10, "§1 ih_flags"},
		{"IMAGE_F_RAM_LOAD", uint64(mcuboot.FlagRAMLoad), 0x20, "§1 ih_flags"},
		{"IMAGE_F_ROM_FIXED", uint64(mcuboot.FlagROMFixed), 0x100, "§1 ih_flags"},
		{"IMAGE_F_COMPRESSED_LZMA1", uint64(mcuboot.FlagCompressedLZMA1), 0x200, "§1 ih_flags"},
		{"IMAGE_F_COMPRESSED_LZMA2", uint64(mcuboot.FlagCompressedLZMA2), 0x400, "§1 ih_flags"},
		{"IMAGE_F_COMPRESSED_ARM_THUMB", uint64(mcuboot.FlagCompressedARMThumb), 0x800, "§1 ih_flags"},
	}
	// §2 "TLV ids (image.h)": the whole list, UUIDs as in the code (0x74/0x75).
	tlvs := map[mcuboot.TLVType]uint64{
		mcuboot.TLVKeyHash: 0x01, mcuboot.TLVPubKey: 0x02, mcuboot.TLVSHA256: 0x10, mcuboot.TLVSHA384: 0x11,
		mcuboot.TLVSHA512: 0x12, mcuboot.TLVRSA2048PSS: 0x20, mcuboot.TLVECDSA224: 0x21, mcuboot.TLVECDSASig: 0x22,
		mcuboot.TLVRSA3072PSS: 0x23, mcuboot.TLVEd25519: 0x24, mcuboot.TLVSigPure: 0x25, mcuboot.TLVEncRSA2048: 0x30,
		mcuboot.TLVEncKW: 0x31, mcuboot.TLVEncEC256: 0x32, mcuboot.TLVEncX25519: 0x33, mcuboot.TLVEncX25519SHA512: 0x34,
		mcuboot.TLVDependency: 0x40, mcuboot.TLVSecCnt: 0x50, mcuboot.TLVBootRecord: 0x60, mcuboot.TLVDecompSize: 0x70,
		mcuboot.TLVDecompSHA: 0x71, mcuboot.TLVDecompSignature: 0x72, mcuboot.TLVCompDecSize: 0x73,
		mcuboot.TLVUUIDVID: 0x74, mcuboot.TLVUUIDCID: 0x75,
	}
	for typ, doc := range tlvs {
		tests = append(tests, struct {
			name     string
			got, doc uint64
			section  string
		}{typ.String(), uint64(typ), doc, "§2 TLV ids"})
	}
	for _, tt := range tests {
		if tt.got != tt.doc {
			t.Errorf("%s = %#x, mcuboot-formats.md %s says %#x", tt.name, tt.got, tt.section, tt.doc)
		}
	}
	// §2 "Signature encodings": which TLV carries which algorithm.
	sigs := map[mcuboot.Algorithm]mcuboot.TLVType{mcuboot.RSA2048PSS: 0x20, mcuboot.RSA3072PSS: 0x23,
		mcuboot.ECDSAP256: 0x22, mcuboot.ECDSAP384: 0x22, mcuboot.Ed25519: 0x24}
	for alg, typ := range sigs {
		if alg.SigTLV() != typ {
			t.Errorf("%s signs into %s, §2 says %#x", alg, alg.SigTLV(), uint16(typ))
		}
	}
}

// unhex reads the doc's hex dump notation (spaces and '|' ignored).
func unhex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "|", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDocEvidence signs what mcuboot-formats.md's "Evidence" section
// made with imgtool (ed25519, 64 KiB body, -H 0x200 --pad-header,
// -v 1.2.3+4, -s 5; there also --pad --confirm, which only adds the slot
// trailer) and compares every structural byte of the annotated dump. The
// body there is unknown, so hash, key hash and signature values differ;
// their TLV headers and offsets must not.
func TestDocEvidence(t *testing.T) {
	opts := mcuboot.SignOptions{HeaderSize: 0x200, PadHeader: true, SecurityCounter: u32(5),
		Version: mcuboot.Version{Major: 1, Minor: 2, Revision: 3, Build: 4}}
	out := sign(t, "ed25519", body(0x10000, 9), opts)
	dump := []struct {
		off  int
		hexs string
	}{
		{0x00000, "3db8f396 00000000 | 0002 0c00 | 00000100 | 00000000 | 01 02 0300 04000000 | 00000000"},
		{0x10200, "0869 0c00 | 5000 0400 05000000"},
		{0x1020c, "0769 9000"},
		{0x10210, "1000 2000"},
		{0x10234, "0100 2000"},
		{0x10258, "2400 4000"},
	}
	for _, d := range dump {
		want := unhex(t, d.hexs)
		if got := out[d.off : d.off+len(want)]; !bytes.Equal(got, want) {
			t.Errorf("at %#x: got % x, doc has % x", d.off, got, want)
		}
	}
	if !bytes.Equal(out[0x20:0x200], bytes.Repeat([]byte{0xff}, 0x1e0)) || len(out) != 0x1029c {
		t.Errorf("header padding not 0xff or length %#x, doc's TLVs end at 0x1029c", len(out))
	}
}

// TestDocEvidenceOtherKeys: the doc's RSA-3072 variant has unprotected
// total 0x1d0 and signature TLV header 23 00 80 01; the ECDSA-P256 one a
// DER signature starting 30 45 02 20 (71 bytes, total 0x97). DER length
// varies per signature, so the P-256 total is checked against its own.
func TestDocEvidenceOtherKeys(t *testing.T) {
	opts := mcuboot.SignOptions{HeaderSize: 0x200, PadHeader: true, SecurityCounter: u32(5)}
	const u = 0x200 + 0x1000 + 12 // unprotected info
	rsa := sign(t, "rsa3072", body(0x1000, 9), opts)
	if got := rsa[u : u+4]; !bytes.Equal(got, unhex(t, "0769 d001")) || !bytes.Equal(rsa[u+76:u+80], unhex(t, "2300 8001")) {
		t.Errorf("RSA-3072: info % x, signature TLV header % x", got, rsa[u+76:u+80])
	}
	ec := sign(t, "p256", body(0x1000, 9), opts)
	sig := ec[u+80:]
	total := binary.LittleEndian.Uint16(ec[u+2:])
	if int(total) != 80+len(sig) || ec[u+76] != 0x22 || sig[0] != 0x30 || int(sig[1]) != len(sig)-2 || sig[2] != 0x02 {
		t.Errorf("ECDSA-P256: total %#x, signature TLV % x", total, ec[u+76:u+84])
	}
}
