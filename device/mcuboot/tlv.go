package mcuboot

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// TLV area constants (image.h; mcuboot-formats.md §2): each area starts
// with a 4-byte info header {u16 magic, u16 total incl. the header}, and
// each TLV is {u16 type, u16 len, value}, all little-endian, packed with
// no alignment.
const (
	TLVInfoMagic     = 0x6907 // IMAGE_TLV_INFO_MAGIC, the unprotected area
	TLVProtInfoMagic = 0x6908 // IMAGE_TLV_PROT_INFO_MAGIC, the protected area
	tlvInfoLen       = 4
	tlvHdrLen        = 4
	maxAreaLen       = 0xFFFF // it_tlv_tot is a u16
)

// TLVType is a TLV's it_type.
type TLVType uint16

// TLV types (image.h at v2.4.0; mcuboot-formats.md §2; imgtool
// image.py TLV_VALUES agrees).
const (
	TLVKeyHash         TLVType = 0x01
	TLVPubKey          TLVType = 0x02
	TLVSHA256          TLVType = 0x10
	TLVSHA384          TLVType = 0x11
	TLVSHA512          TLVType = 0x12
	TLVRSA2048PSS      TLVType = 0x20
	TLVECDSA224        TLVType = 0x21 // dropped upstream; never verified
	TLVECDSASig        TLVType = 0x22 // P-256 and P-384
	TLVRSA3072PSS      TLVType = 0x23
	TLVEd25519         TLVType = 0x24
	TLVSigPure         TLVType = 0x25
	TLVEncRSA2048      TLVType = 0x30
	TLVEncKW           TLVType = 0x31
	TLVEncEC256        TLVType = 0x32
	TLVEncX25519       TLVType = 0x33
	TLVEncX25519SHA512 TLVType = 0x34
	TLVDependency      TLVType = 0x40
	TLVSecCnt          TLVType = 0x50
	TLVBootRecord      TLVType = 0x60
	TLVDecompSize      TLVType = 0x70
	TLVDecompSHA       TLVType = 0x71
	TLVDecompSignature TLVType = 0x72
	TLVCompDecSize     TLVType = 0x73
	TLVUUIDVID         TLVType = 0x74 // design.md says 0x80; image.h and imgtool use 0x74
	TLVUUIDCID         TLVType = 0x75
)

var tlvNames = map[TLVType]string{
	TLVKeyHash: "KEYHASH", TLVPubKey: "PUBKEY", TLVSHA256: "SHA256", TLVSHA384: "SHA384",
	TLVSHA512: "SHA512", TLVRSA2048PSS: "RSA2048_PSS", TLVECDSA224: "ECDSA224",
	TLVECDSASig: "ECDSA_SIG", TLVRSA3072PSS: "RSA3072_PSS", TLVEd25519: "ED25519",
	TLVSigPure: "SIG_PURE", TLVEncRSA2048: "ENC_RSA2048", TLVEncKW: "ENC_KW",
	TLVEncEC256: "ENC_EC256", TLVEncX25519: "ENC_X25519", TLVEncX25519SHA512: "ENC_X25519_SHA512",
	TLVDependency: "DEPENDENCY", TLVSecCnt: "SEC_CNT", TLVBootRecord: "BOOT_RECORD",
	TLVDecompSize: "DECOMP_SIZE", TLVDecompSHA: "DECOMP_SHA", TLVDecompSignature: "DECOMP_SIGNATURE",
	TLVCompDecSize: "COMP_DEC_SIZE", TLVUUIDVID: "UUID_VID", TLVUUIDCID: "UUID_CID",
}

// String is image.h's name without the IMAGE_TLV_ prefix, "VENDOR_0x..."
// for the vendor range (low byte 0xa0-0xff) and "0x.." otherwise.
func (t TLVType) String() string {
	if n, ok := tlvNames[t]; ok {
		return n
	}
	if t&0xFF >= 0xa0 {
		return fmt.Sprintf("VENDOR_%#04x", uint16(t))
	}
	return fmt.Sprintf("%#04x", uint16(t))
}

// TLV is one entry of a TLV area: Offset is the file offset of its 4-byte
// header, Value aliases the parsed bytes.
type TLV struct {
	Type   TLVType
	Offset int
	Value  []byte
}

// area is a parsed TLV area: its info header offset, total length and entries.
type area struct {
	off, total int
	tlvs       []TLV
}

// parseArea reads the area whose info header is at off and whose magic
// must be magic. The caller has checked that the info header is in b.
func parseArea(b []byte, off int, magic uint16, name string) (area, error) {
	got := binary.LittleEndian.Uint16(b[off:])
	total := int(binary.LittleEndian.Uint16(b[off+2:]))
	if got != magic {
		return area{}, formatErr(off, name+" it_magic", ErrTLVInfoMagic, "got %#04x, want %#04x", got, magic)
	}
	if total < tlvInfoLen {
		return area{}, formatErr(off+2, name+" it_tlv_tot", ErrTLVLength, "%d is smaller than the %d-byte info header", total, tlvInfoLen)
	}
	if off+total > len(b) {
		return area{}, formatErr(off+2, name+" it_tlv_tot", ErrTruncated, "area of %d bytes from %#x, file ends at %#x", total, off, len(b))
	}
	a := area{off: off, total: total}
	end := off + total
	for p := off + tlvInfoLen; p < end; {
		t, err := parseTLV(b[:end], p, name)
		if err != nil {
			return area{}, err
		}
		if len(a.tlvs) == MaxTLVs {
			return area{}, formatErr(p, name+" TLV", ErrTooManyTLVs, "more than %d", MaxTLVs)
		}
		a.tlvs = append(a.tlvs, t)
		p += tlvHdrLen + len(t.Value)
	}
	return a, nil
}

// parseTLV reads one TLV at p; b ends where the area ends.
func parseTLV(b []byte, p int, name string) (TLV, error) {
	if p+tlvHdrLen > len(b) {
		return TLV{}, formatErr(p, name+" TLV header", ErrTLVOverrun, "%d bytes left in the area, a TLV header needs %d", len(b)-p, tlvHdrLen)
	}
	t := TLV{Type: TLVType(binary.LittleEndian.Uint16(b[p:])), Offset: p}
	n := int(binary.LittleEndian.Uint16(b[p+2:]))
	if v := p + tlvHdrLen; v+n > len(b) {
		return TLV{}, formatErr(p+2, name+" TLV "+t.Type.String()+" it_len", ErrTLVOverrun,
			"%d bytes from %#x, area ends at %#x", n, v, len(b))
	}
	t.Value = b[p+tlvHdrLen : p+tlvHdrLen+n]
	return t, nil
}

// appendArea appends an info header with magic and the TLVs to out.
func appendArea(out []byte, magic uint16, tlvs []TLV) []byte {
	total := areaLen(tlvs)
	out = binary.LittleEndian.AppendUint16(out, magic)
	out = binary.LittleEndian.AppendUint16(out, uint16(total))
	for _, t := range tlvs {
		out = binary.LittleEndian.AppendUint16(out, uint16(t.Type))
		out = binary.LittleEndian.AppendUint16(out, uint16(len(t.Value)))
		out = append(out, t.Value...)
	}
	return out
}

// areaLen is the encoded length of an area holding tlvs, info header included.
func areaLen(tlvs []TLV) int {
	n := tlvInfoLen
	for _, t := range tlvs {
		n += tlvHdrLen + len(t.Value)
	}
	return n
}

// Where each TLV type may appear, how long it must be and whether it may
// repeat. The facts are from image.h, image_validate.c and imgtool
// (mcuboot-formats.md §2): the bootloader reads SEC_CNT and DEPENDENCY
// only from the protected area, and the hash, key and signature TLVs sit
// in the unprotected area because they are computed over the protected
// one. Types not listed (boot record, compression, UUIDs, encryption
// keys, vendor TLVs) are kept as they are.
type tlvRule struct {
	where placement
	lens  []int  // allowed value lengths; nil means any
	group string // at most one TLV of the group per image; "" means it may repeat
}

type placement int

const (
	anywhere placement = iota
	protectedOnly
	unprotectedOnly
)

var hashLens = []int{32, 48, 64} // SHA-256, SHA-384, SHA-512

var tlvRules = map[TLVType]tlvRule{
	TLVSecCnt:     {protectedOnly, []int{secCntLen}, "security counter"},
	TLVDependency: {protectedOnly, []int{dependencyLen}, ""},
	TLVSHA256:     {unprotectedOnly, []int{32}, "image hash"},
	TLVSHA384:     {unprotectedOnly, []int{48}, "image hash"},
	TLVSHA512:     {unprotectedOnly, []int{64}, "image hash"},
	TLVKeyHash:    {unprotectedOnly, hashLens, "key"},
	TLVPubKey:     {unprotectedOnly, nil, "key"},
	TLVRSA2048PSS: {unprotectedOnly, []int{256}, "signature"},
	TLVRSA3072PSS: {unprotectedOnly, []int{384}, "signature"},
	TLVECDSASig:   {unprotectedOnly, nil, "signature"},
	TLVECDSA224:   {unprotectedOnly, nil, "signature"},
	TLVEd25519:    {unprotectedOnly, []int{64}, "signature"},
	TLVSigPure:    {unprotectedOnly, []int{1}, "pure signature flag"},
}

// checkTLVs applies tlvRules to one area; seen carries the unique groups
// across both areas.
func checkTLVs(tlvs []TLV, protected bool, seen map[string]TLVType) error {
	for _, t := range tlvs {
		r, ok := tlvRules[t.Type]
		if !ok {
			continue
		}
		field := areaName(protected) + " TLV " + t.Type.String()
		if (r.where == protectedOnly && !protected) || (r.where == unprotectedOnly && protected) {
			return formatErr(t.Offset, field, ErrMisplacedTLV, "%s belongs in the %s area", t.Type, areaName(!protected))
		}
		if r.lens != nil && !slices.Contains(r.lens, len(t.Value)) {
			return formatErr(t.Offset+2, field+" it_len", ErrTLVLength, "%d, want one of %v", len(t.Value), r.lens)
		}
		if r.group == "" {
			continue
		}
		if prev, dup := seen[r.group]; dup {
			return formatErr(t.Offset, field, ErrDuplicateTLV, "second %s TLV (first was %s)", r.group, prev)
		}
		seen[r.group] = t.Type
	}
	return nil
}

func areaName(protected bool) string {
	if protected {
		return "protected"
	}
	return "unprotected"
}
