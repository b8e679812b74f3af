package esp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
)

// ErrDuplicateKey reports two blocks with the same key: the extra block
// would waste one of the three key-revocation slots.
var ErrDuplicateKey = errors.New("key already signs this image")

// Sign returns file with one Secure Boot V2 block per signer: an unsigned
// image is 0xFF-padded to a 4096 multiple and gets a new signature sector;
// a signed image keeps its blocks and gets the new ones after them (like
// espsecure --append_signatures). Signers may be HSM keys: RSA keys are
// asked for RSA-PSS (SHA-256, salt 32) over the SHA-256 of the padded
// image, ECDSA keys for a signature over its SHA-256 (SHA-384 for P-384).
//
// Sign refuses what the image's chip would not boot: unknown chip, a scheme
// the chip lacks, mixed schemes, more blocks than the chip reads, an ESP32
// image that allows chip revisions without Secure Boot V2. Every new
// block is parsed back and its signature verified before Sign returns; the
// input is never modified. rand is handed to the signers (an HSM signer
// may ignore it and use the token's generator).
func Sign(file []byte, signers []crypto.Signer, rand io.Reader) ([]byte, error) {
	img, err := ParseImage(file)
	if err != nil {
		return nil, err
	}
	old, err := img.existingBlocks()
	if err != nil {
		return nil, err
	}
	scheme, err := img.checkSigners(old, signers)
	if err != nil {
		return nil, err
	}
	out := make([]byte, img.PaddedLen+SectorSize)
	copy(out, file[:img.Len])
	for i := img.Len; i < img.PaddedLen; i++ {
		out[i] = 0xFF
	}
	digest := img.Digest(scheme)
	raws := make([][]byte, 0, len(old)+len(signers))
	for _, b := range old {
		raws = append(raws, b.Raw)
	}
	for _, s := range signers {
		raw, err := signBlock(len(raws), s, digest, rand)
		if err != nil {
			return nil, err
		}
		raws = append(raws, raw)
	}
	copy(out[img.PaddedLen:], encodeSector(raws))
	return out, nil
}

// existingBlocks returns the blocks of an already signed image after
// checking each still verifies with its own key.
func (img *Image) existingBlocks() ([]Block, error) {
	if !img.Signed() {
		return nil, nil
	}
	sec, err := img.Signatures()
	if err != nil {
		return nil, fmt.Errorf("existing signature sector: %w", err)
	}
	for _, b := range sec.Blocks {
		if b.Err != nil {
			return nil, fmt.Errorf("existing signature sector: %w", b.Err)
		}
		if err := checkSignature(&b, img.Digest(b.Scheme)); err != nil {
			return nil, fmt.Errorf("existing signature sector: %w", &BlockError{b.Index, err})
		}
	}
	return sec.Blocks, nil
}

// checkSigners applies the chip's rules to old plus new blocks and returns
// their common scheme.
func (img *Image) checkSigners(old []Block, signers []crypto.Signer) (Scheme, error) {
	chip := img.Header.Chip
	if len(signers) == 0 {
		return 0, errors.New("sign: no signers given")
	}
	if err := img.checkChip(); err != nil {
		return 0, err
	}
	if n := len(old) + len(signers); n > chip.MaxBlocks() {
		return 0, fmt.Errorf("%w: %d blocks, %s reads at most %d", ErrTooManyBlocks, n, chip, chip.MaxBlocks())
	}
	seen := map[[32]byte]bool{}
	var scheme Scheme
	for _, b := range old {
		seen[b.KeyDigest] = true
		scheme = b.Scheme
	}
	for i, s := range signers {
		kd, err := KeyDigest(s.Public())
		if err != nil {
			return 0, fmt.Errorf("signer %d: %w", i, err)
		}
		sch, _ := SchemeOf(s.Public())
		switch {
		case seen[kd]:
			return 0, fmt.Errorf("signer %d: %w (key digest %x)", i, ErrDuplicateKey, kd)
		case scheme != 0 && sch != scheme:
			return 0, fmt.Errorf("signer %d: %w: %s and %s", i, ErrMixedSchemes, scheme, sch)
		case !chip.Supports(sch):
			return 0, fmt.Errorf("signer %d: %w: %s on %s", i, ErrChipScheme, sch, chip)
		}
		seen[kd], scheme = true, sch
	}
	return scheme, nil
}

// signBlock has s sign digest, builds block idx, then parses it back and
// verifies it: a signer that returns a wrong or corrupt signature (a
// faulty HSM, the wrong key behind a label) is caught here.
func signBlock(idx int, s crypto.Signer, digest []byte, rand io.Reader) ([]byte, error) {
	pub := s.Public()
	var raw []byte
	var err error
	switch k := pub.(type) {
	case *rsa.PublicKey:
		var sig []byte
		// A fresh options value per call: a signer cannot alter what the
		// next one is asked for.
		opts := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
		if sig, err = s.Sign(rand, digest, opts); err == nil {
			raw, err = encodeRSABlock(digest, k, leftPad(sig, rsaBytes))
		}
	case *ecdsa.PublicKey:
		var der []byte
		sch, _ := SchemeOf(k)
		if der, err = s.Sign(rand, digest, sch.Hash()); err == nil {
			raw, err = encodeECDSABlock(digest, k, der)
		}
	default:
		err = fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	if err != nil {
		return nil, &BlockError{idx, fmt.Errorf("sign: %w", err)}
	}
	blk := parseBlock(idx, raw)
	if blk.Err != nil {
		return nil, blk.Err
	}
	if err := checkSignature(&blk, digest); err != nil {
		return nil, &BlockError{idx, fmt.Errorf("new signature: %w", err)}
	}
	return raw, nil
}

// leftPad restores leading zero bytes some signers drop.
func leftPad(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	return append(make([]byte, n-len(b)), b...)
}
