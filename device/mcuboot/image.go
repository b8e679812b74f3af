package mcuboot

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"fmt"
	"strings"
)

// Image is a parsed, well-formed MCUboot image: header, body, optional
// protected TLV area and the unprotected TLV area. Parsing checks the
// structure only; Verify checks hash, key and signature.
type Image struct {
	Header      Header
	Protected   []TLV // nil when the image has no protected area
	Unprotected []TLV

	// From the protected area: SEC_CNT and the DEPENDENCY TLVs in order.
	SecurityCounter    uint32
	HasSecurityCounter bool
	Dependencies       []Dependency

	// Len is the image proper: header, body and both TLV areas. For an
	// image from ParseSlot the slot's remaining bytes follow it.
	Len int

	data []byte
}

// Parse parses an image file as imgtool writes it without --pad: header,
// body, TLV areas and nothing after them (ErrTrailingData otherwise).
// The Image refers to b; do not modify b while using it.
func Parse(b []byte) (*Image, error) {
	img, err := parse(b)
	if err != nil {
		return nil, err
	}
	if img.Len != len(b) {
		return nil, formatErr(img.Len, "end of image", ErrTrailingData,
			"%d bytes after the unprotected TLV area", len(b)-img.Len)
	}
	return img, nil
}

// HasMagic reports whether b starts with the MCUboot image magic, to
// tell MCUboot images from other formats before parsing (an ESP image
// starts with 0xE9).
func HasMagic(b []byte) bool { return len(b) >= 4 && le32(b, offMagic) == ImageMagic }

// ParseSlot parses an image at the start of a flash slot (or an imgtool
// --pad file) the way the bootloader reads it: whatever follows the TLV
// areas (erased padding, the image trailer) is ignored here.
func ParseSlot(slot []byte) (*Image, error) { return parse(slot) }

func parse(b []byte) (*Image, error) {
	if len(b) > MaxImageSize {
		return nil, formatErr(0, "image", ErrTooLarge, "%d bytes, at most %d", len(b), MaxImageSize)
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	img := &Image{Header: h, data: b}
	if err := img.parseBody(); err != nil {
		return nil, err
	}
	if err := img.parseAreas(); err != nil {
		return nil, err
	}
	if err := img.decodeProtected(); err != nil {
		return nil, err
	}
	img.data = b[:img.Len]
	return img, nil
}

// parseBody checks that the header padding and body are in the file.
func (img *Image) parseBody() error {
	h, n := img.Header, uint64(len(img.data))
	if uint64(h.HeaderSize) > n {
		return formatErr(offHdrSize, "ih_hdr_size", ErrTruncated, "%#x, file ends at %#x", h.HeaderSize, n)
	}
	if end := uint64(h.HeaderSize) + uint64(h.ImageSize); end > n {
		return formatErr(offImgSize, "ih_img_size", ErrTruncated, "body %#x..%#x, file ends at %#x", h.HeaderSize, end, n)
	}
	return nil
}

// parseAreas reads the protected area (if its magic is there) and the
// unprotected one, applying tlv.c's rule that ih_protect_tlv_size equals
// the protected area's total, and is 0 when there is none.
func (img *Image) parseAreas() error {
	b, off := img.data, img.tlvOffset()
	if off+tlvInfoLen > len(b) {
		return formatErr(off, "TLV info", ErrTruncated, "no TLV area after the body, file ends at %#x", len(b))
	}
	seen := map[string]TLVType{}
	if binary.LittleEndian.Uint16(b[off:]) == TLVProtInfoMagic {
		a, err := parseArea(b, off, TLVProtInfoMagic, "protected")
		if err != nil {
			return err
		}
		if a.total != int(img.Header.ProtectedTLVSize) {
			return formatErr(off+2, "protected it_tlv_tot", ErrProtectedSize,
				"area is %d bytes, ih_protect_tlv_size is %d", a.total, img.Header.ProtectedTLVSize)
		}
		if err := checkTLVs(a.tlvs, true, seen); err != nil {
			return err
		}
		img.Protected = a.tlvs
		off += a.total
	} else if img.Header.ProtectedTLVSize != 0 {
		return formatErr(off, "protected it_magic", ErrProtectedSize,
			"ih_protect_tlv_size is %d but no %#04x area follows the body", img.Header.ProtectedTLVSize, TLVProtInfoMagic)
	}
	if off+tlvInfoLen > len(b) {
		return formatErr(off, "unprotected TLV info", ErrTruncated, "file ends at %#x", len(b))
	}
	a, err := parseArea(b, off, TLVInfoMagic, "unprotected")
	if err != nil {
		return err
	}
	img.Unprotected = a.tlvs
	img.Len = off + a.total
	return checkTLVs(a.tlvs, false, seen)
}

// tlvOffset is where the TLV areas start: right after the body.
func (img *Image) tlvOffset() int { return int(img.Header.HeaderSize) + int(img.Header.ImageSize) }

// HashedLen is the length of the hashed region: header (with its
// padding), body and the whole protected area (bootutil_img_hash.c).
func (img *Image) HashedLen() int { return img.tlvOffset() + int(img.Header.ProtectedTLVSize) }

// Bytes returns the image proper, Len bytes.
func (img *Image) Bytes() []byte { return img.data }

// Body returns the ih_img_size bytes after the header.
func (img *Image) Body() []byte { return img.data[img.Header.HeaderSize:img.tlvOffset()] }

// Digest is hash h over the hashed region, what the hash TLV stores.
func (img *Image) Digest(h crypto.Hash) []byte {
	w := h.New()
	w.Write(img.data[:img.HashedLen()])
	return w.Sum(nil)
}

// Find returns the first unprotected TLV whose type is one of types.
func (img *Image) Find(types ...TLVType) (TLV, bool) {
	for _, t := range img.Unprotected {
		for _, want := range types {
			if t.Type == want {
				return t, true
			}
		}
	}
	return TLV{}, false
}

// Protected TLV values (mcuboot-formats.md §2): SEC_CNT is a u32 LE;
// DEPENDENCY is struct image_dependency = u8 image_id, 3 zero pad bytes,
// struct image_version (imgtool packs it as 'B3x' + 'BBHI').
const (
	secCntLen     = 4
	dependencyLen = 12
)

// Dependency is one DEPENDENCY TLV: the image with index ImageID must be
// at least MinVersion (imgtool -d "(1, 2.0.0+7)").
type Dependency struct {
	ImageID    uint8
	MinVersion Version
}

func (d Dependency) String() string { return fmt.Sprintf("image %d >= %s", d.ImageID, d.MinVersion) }

func (d Dependency) encode() []byte {
	b := make([]byte, dependencyLen)
	b[0] = d.ImageID
	d.MinVersion.encode(b[4:])
	return b
}

func decodeDependency(t TLV) (Dependency, error) {
	v := t.Value
	if v[1] != 0 || v[2] != 0 || v[3] != 0 {
		return Dependency{}, formatErr(t.Offset+tlvHdrLen+1, "DEPENDENCY _pad", ErrBadTLV, "% x, imgtool writes zeros", v[1:4])
	}
	return Dependency{ImageID: v[0], MinVersion: decodeVersion(v[4:])}, nil
}

// decodeProtected fills the security counter and dependencies from the
// protected TLVs, whose lengths checkTLVs has already checked.
func (img *Image) decodeProtected() error {
	for _, t := range img.Protected {
		switch t.Type {
		case TLVSecCnt:
			img.SecurityCounter = binary.LittleEndian.Uint32(t.Value)
			img.HasSecurityCounter = true
		case TLVDependency:
			d, err := decodeDependency(t)
			if err != nil {
				return err
			}
			img.Dependencies = append(img.Dependencies, d)
		}
	}
	return nil
}

// protectedTLVs are the protected TLVs Sign writes, in imgtool's order:
// SEC_CNT, then DEPENDENCY in the order given (image.py create()).
func protectedTLVs(counter *uint32, deps []Dependency) []TLV {
	var tlvs []TLV
	if counter != nil {
		tlvs = append(tlvs, TLV{Type: TLVSecCnt, Value: binary.LittleEndian.AppendUint32(nil, *counter)})
	}
	for _, d := range deps {
		tlvs = append(tlvs, TLV{Type: TLVDependency, Value: d.encode()})
	}
	return tlvs
}

// Info describes the image for `signbox image info`, in the spirit of
// `imgtool dumpinfo`: header fields, every TLV with its offset, the
// decoded security counter and dependencies, and whether the hash TLV
// matches the image. It checks no signature (that needs a key: Verify).
func (img *Image) Info() string {
	var w strings.Builder
	h := img.Header
	fmt.Fprintf(&w, "MCUboot image: %d bytes (header %d, body %d, protected TLVs %d, unprotected TLVs %d)\n",
		img.Len, h.HeaderSize, h.ImageSize, h.ProtectedTLVSize, img.Len-img.HashedLen())
	fmt.Fprintf(&w, "Magic: %#08x\n", uint32(ImageMagic))
	fmt.Fprintf(&w, "Version: %s\n", h.Version)
	fmt.Fprintf(&w, "Load address: %#08x\n", h.LoadAddr)
	fmt.Fprintf(&w, "Flags: %#08x (%s)\n", uint32(h.Flags), h.Flags)
	if img.HasSecurityCounter {
		fmt.Fprintf(&w, "Security counter: %d\n", img.SecurityCounter)
	} else {
		fmt.Fprintf(&w, "Security counter: none\n")
	}
	for _, d := range img.Dependencies {
		fmt.Fprintf(&w, "Dependency: %s\n", d)
	}
	if img.Protected != nil {
		img.writeArea(&w, "Protected", TLVProtInfoMagic, img.tlvOffset(), img.Protected)
	}
	img.writeArea(&w, "Unprotected", TLVInfoMagic, img.HashedLen(), img.Unprotected)
	return w.String()
}

func (img *Image) writeArea(w *strings.Builder, name string, magic uint16, off int, tlvs []TLV) {
	fmt.Fprintf(w, "%s TLVs: info %#04x at %#x, %d entries\n", name, magic, off, len(tlvs))
	for _, t := range tlvs {
		fmt.Fprintf(w, "  0x%05x %-12s (%#04x) %4d bytes%s\n", t.Offset, t.Type, uint16(t.Type), len(t.Value), img.describe(t))
	}
}

// describe gives a TLV's value where it is short or checkable.
func (img *Image) describe(t TLV) string {
	switch {
	case t.Type == TLVSecCnt:
		return fmt.Sprintf(": %d", img.SecurityCounter)
	case t.Type == TLVDependency:
		d, _ := decodeDependency(t)
		return ": " + d.String()
	case hashOfTLV(t.Type) != 0:
		match := "matches the image"
		if !bytes.Equal(img.Digest(hashOfTLV(t.Type)), t.Value) {
			match = "DOES NOT match the image"
		}
		return fmt.Sprintf(": %x (%s)", t.Value, match)
	case t.Type == TLVKeyHash:
		return fmt.Sprintf(": %x", t.Value)
	}
	return ""
}
