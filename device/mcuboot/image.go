package mcuboot

import (
	"crypto"
	"encoding/binary"
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
