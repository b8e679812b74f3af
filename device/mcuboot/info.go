package mcuboot

import (
	"bytes"
	"fmt"
	"strings"
)

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
