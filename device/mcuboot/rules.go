package mcuboot

import "slices"

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
