package esp

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
)

// Errors for blocks whose key is not trusted.
var (
	ErrUntrustedKey = errors.New("block key matches no trusted key")
	ErrRevokedKey   = errors.New("block key digest is in a revoked slot")
)

// pssOptions are the only RSA-PSS parameters the ROM accepts: SHA-256,
// MGF1-SHA-256, 32-byte salt.
var pssOptions = &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}

// Verify parses a signed image file and checks it against public keys, as
// `espsecure verify_signature` does: some block must carry one of the keys
// and a valid signature over the image. It does not apply chip rules; use
// VerifyDigests for the bootloader's view.
func Verify(file []byte, keys ...crypto.PublicKey) (Verified, error) {
	img, err := ParseImage(file)
	if err != nil {
		return Verified{}, err
	}
	return img.Verify(keys...)
}

// VerifyDigests parses a signed image file and checks it as the
// bootloader does against eFuse key digests; see (*Image).VerifyDigests.
func VerifyDigests(file []byte, digests [3][32]byte, revoked [3]bool, opts ...VerifyOption) (Verified, error) {
	img, err := ParseImage(file)
	if err != nil {
		return Verified{}, err
	}
	return img.VerifyDigests(digests, revoked, opts...)
}

// VerifyOnChip parses a signed image file and checks it against public
// keys with the rules of the image's chip; see (*Image).VerifyOnChip.
func VerifyOnChip(file []byte, keys ...crypto.PublicKey) (Verified, error) {
	img, err := ParseImage(file)
	if err != nil {
		return Verified{}, err
	}
	return img.VerifyOnChip(keys...)
}

// Verify checks img's signature sector against public keys.
func (img *Image) Verify(keys ...crypto.PublicKey) (Verified, error) {
	trusted, err := keyMatcher(keys)
	if err != nil {
		return Verified{}, err
	}
	return img.verify(-1, trusted)
}

// VerifyOnChip is Verify plus what the image's chip requires, which
// espsecure verify_signature does not check: only the blocks the chip
// reads, only a scheme its ROM verifies (a P-384 block on an ESP32-C6
// image verifies in espsecure and never boots), and on ESP32 an image
// that requires a chip revision with Secure Boot V2.
func (img *Image) VerifyOnChip(keys ...crypto.PublicKey) (Verified, error) {
	trusted, err := keyMatcher(keys)
	if err != nil {
		return Verified{}, err
	}
	chip := img.Header.Chip
	if err := img.checkChip(); err != nil {
		return Verified{}, err
	}
	return img.verify(chip.KeySlots(), func(blk *Block) (int, error) {
		if !chip.Supports(blk.Scheme) {
			return 0, fmt.Errorf("%w: %s on %s (it verifies %v)", ErrChipScheme, blk.Scheme, chip, chip.Schemes())
		}
		return trusted(blk)
	})
}

// checkChip refuses an image for a chip signbox does not know, or an
// ESP32 image that may run on a revision whose ROM has no Secure Boot V2.
func (img *Image) checkChip() error {
	chip := img.Header.Chip
	if !chip.Known() {
		return fmt.Errorf("%w: chip id %d in the image header", ErrUnknownChip, uint16(chip))
	}
	if r := chip.MinRevisionSBV2(); img.Header.MinChipRevFull < r {
		return fmt.Errorf("%w: the %s image runs on chip revision v%d.%d and later; Secure Boot V2 needs v%d.%d (min_chip_rev_full %d)",
			ErrChipRevision, chip, img.Header.MinChipRevFull/100, img.Header.MinChipRevFull%100, r/100, r%100, r)
	}
	return nil
}

// keyMatcher trusts blocks whose key is one of keys.
func keyMatcher(keys []crypto.PublicKey) (func(*Block) (int, error), error) {
	if len(keys) == 0 {
		return nil, errors.New("verify: no public keys given")
	}
	want := make([][32]byte, len(keys))
	for i, k := range keys {
		d, err := KeyDigest(k)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		want[i] = d
	}
	return func(blk *Block) (int, error) {
		for _, d := range want {
			if d == blk.KeyDigest {
				return -1, nil
			}
		}
		return 0, ErrUntrustedKey
	}, nil
}

// VerifyOption narrows what VerifyDigests accepts.
type VerifyOption func(*verifyConfig)

type verifyConfig struct{ scheme Scheme }

// RequireScheme accepts only blocks of scheme s, as a chip configured for
// that scheme does (the bootloader checks the block version and curve).
func RequireScheme(s Scheme) VerifyOption { return func(c *verifyConfig) { c.scheme = s } }

// VerifyDigests checks img as the bootloader does: a block verifies if
// it is well formed, its scheme is one the chip supports, its key digest
// equals an eFuse digest in a slot that is not revoked, and its signature
// verifies. An all-zero digest is an unprogrammed slot. ESP32 and ESP32-C2
// read only block 0 and slot 0, and ESP32-C2 stores only the first 16
// bytes of the digest, so only those are compared there.
func (img *Image) VerifyDigests(digests [3][32]byte, revoked [3]bool, opts ...VerifyOption) (Verified, error) {
	var cfg verifyConfig
	for _, o := range opts {
		o(&cfg)
	}
	chip := img.Header.Chip
	if !chip.Known() {
		return Verified{}, fmt.Errorf("%w: chip id %d in the image header", ErrUnknownChip, uint16(chip))
	}
	n, cmpLen := chip.KeySlots(), chip.DigestLen()
	return img.verify(n, func(blk *Block) (int, error) {
		if !chip.Supports(blk.Scheme) {
			return 0, fmt.Errorf("%w: %s on %s", ErrChipScheme, blk.Scheme, chip)
		}
		if cfg.scheme != 0 && blk.Scheme != cfg.scheme {
			return 0, fmt.Errorf("%w: block is %s, device expects %s", ErrChipScheme, blk.Scheme, cfg.scheme)
		}
		return matchSlot(blk.KeyDigest, digests[:n], revoked[:n], cmpLen)
	})
}

func matchSlot(kd [32]byte, digests [][32]byte, revoked []bool, cmpLen int) (int, error) {
	err := ErrUntrustedKey
	for j, d := range digests {
		if d == ([32]byte{}) || !bytes.Equal(d[:cmpLen], kd[:cmpLen]) {
			continue
		}
		if !revoked[j] {
			return j, nil
		}
		err = fmt.Errorf("%w: slot %d", ErrRevokedKey, j)
	}
	return 0, err
}

// verify tries each block (the first maxBlocks of them if maxBlocks > 0):
// trust says whether the block's key is trusted and which eFuse slot
// matched (-1 for none), then the digest and signature are checked.
func (img *Image) verify(maxBlocks int, trust func(*Block) (int, error)) (Verified, error) {
	sec, err := img.Signatures()
	if err != nil {
		return Verified{}, err
	}
	var reasons []error
	for i := range sec.Blocks {
		blk := &sec.Blocks[i]
		if maxBlocks > 0 && blk.Index >= maxBlocks {
			reasons = append(reasons, &BlockError{blk.Index, fmt.Errorf("%s reads only %d block(s)", img.Header.Chip, maxBlocks)})
			continue
		}
		if blk.Err != nil {
			reasons = append(reasons, blk.Err)
			continue
		}
		slot, err := trust(blk)
		if err == nil {
			err = checkSignature(blk, img.Digest(blk.Scheme))
		}
		if err != nil {
			reasons = append(reasons, &BlockError{blk.Index, err})
			continue
		}
		return img.verified(blk, slot, img.Digest(blk.Scheme)), nil
	}
	return Verified{}, &VerifyError{Blocks: reasons}
}

func (img *Image) verified(blk *Block, slot int, digest []byte) Verified {
	return Verified{
		ok: true, block: blk.Index, slot: slot, scheme: blk.Scheme,
		keyDigest: blk.KeyDigest, key: blk.PublicKey, imageDigest: digest,
		chip: img.Header.Chip, kind: img.Kind, secureVersion: img.SecureVersion(),
	}
}

// checkSignature compares the block's stored digest with the image's and
// verifies the signature with the block's own key.
func checkSignature(blk *Block, digest []byte) error {
	if !bytes.Equal(blk.ImageDigest, digest) {
		return fmt.Errorf("%w: block has %x, image is %x", ErrDigestMismatch, blk.ImageDigest, digest)
	}
	var ok bool
	switch k := blk.PublicKey.(type) {
	case *rsa.PublicKey:
		ok = rsa.VerifyPSS(k, crypto.SHA256, digest, blk.Signature, pssOptions) == nil
	case *ecdsa.PublicKey:
		h := len(blk.Signature) / 2
		r := new(big.Int).SetBytes(blk.Signature[:h])
		s := new(big.Int).SetBytes(blk.Signature[h:])
		ok = ecdsa.Verify(k, digest, r, s)
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedKey, blk.PublicKey)
	}
	if !ok {
		return fmt.Errorf("%w (%s)", ErrBadSignature, blk.Scheme)
	}
	return nil
}
