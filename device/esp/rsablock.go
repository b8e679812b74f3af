package esp

import (
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
)

// RSA-3072 block layout (ets_secure_boot_sig_block_t, rom/secure_boot.h).
const (
	rsaVersion   = 0x02
	rsaBytes     = 384
	rsaOffN      = 36
	rsaOffE      = rsaOffN + rsaBytes    // 420
	rsaOffRinv   = rsaOffE + 4           // 424
	rsaOffMdash  = rsaOffRinv + rsaBytes // 808
	rsaOffSig    = rsaOffMdash + 4       // 812
	rsaKeyEnd    = rsaOffSig             // key fields are 36..812
	blockCRCOff  = 1196
	blockMagic   = 0xE7
	digestOffset = 4
)

// le returns x as a size-byte little-endian integer, as the chip's RSA and
// ECC peripherals want it.
func le(x *big.Int, size int) []byte {
	b := x.FillBytes(make([]byte, size))
	slices.Reverse(b)
	return b
}

// fromLE reads a little-endian integer.
func fromLE(b []byte) *big.Int {
	r := slices.Clone(b)
	slices.Reverse(r)
	return new(big.Int).SetBytes(r)
}

// montgomery returns rinv = R^2 mod n (R = 2^3072) and mdash = -n^-1 mod
// 2^32: constants the ROM's RSA peripheral needs, derived from n alone.
func montgomery(n *big.Int) (rinv *big.Int, mdash uint32) {
	r2 := new(big.Int).Lsh(big.NewInt(1), 2*rsaBytes*8)
	rinv = r2.Mod(r2, n)
	m := new(big.Int).Lsh(big.NewInt(1), 32)
	inv := new(big.Int).ModInverse(new(big.Int).Mod(n, m), m)
	if inv == nil { // n even: not an RSA modulus
		return rinv, 0
	}
	return rinv, uint32(new(big.Int).Sub(m, inv).Uint64())
}

// rsaKeyFields is block[36:812]: n, e, rinv, mdash, all little-endian.
// Its SHA-256 is the key digest burned into eFuse.
func rsaKeyFields(pub *rsa.PublicKey) ([]byte, error) {
	if pub.N.BitLen() != rsaBytes*8 {
		return nil, fmt.Errorf("%w: rsa key is %d bits, secure boot v2 needs 3072", ErrUnsupportedKey, pub.N.BitLen())
	}
	if pub.E <= 0 || int64(pub.E) > 0xFFFFFFFF {
		return nil, fmt.Errorf("%w: rsa exponent %d", ErrUnsupportedKey, pub.E)
	}
	rinv, mdash := montgomery(pub.N)
	out := make([]byte, 0, rsaKeyEnd-rsaOffN)
	out = append(out, le(pub.N, rsaBytes)...)
	out = binary.LittleEndian.AppendUint32(out, uint32(pub.E))
	out = append(out, le(rinv, rsaBytes)...)
	out = binary.LittleEndian.AppendUint32(out, mdash)
	return out, nil
}

// encodeRSABlock builds a block from the image digest, the key and the
// big-endian PSS signature that standard tools produce.
func encodeRSABlock(digest []byte, pub *rsa.PublicKey, sig []byte) ([]byte, error) {
	fields, err := rsaKeyFields(pub)
	if err != nil {
		return nil, err
	}
	if len(sig) != rsaBytes {
		return nil, fmt.Errorf("%w: rsa signature is %d bytes, want %d", ErrBlockFields, len(sig), rsaBytes)
	}
	b := make([]byte, BlockSize)
	b[0], b[1] = blockMagic, rsaVersion
	copy(b[digestOffset:], digest)
	copy(b[rsaOffN:], fields)
	copy(b[rsaOffSig:], sig)
	slices.Reverse(b[rsaOffSig : rsaOffSig+rsaBytes])
	putCRC(b)
	return b, nil
}

// parseRSABlock fills blk from an RSA block whose magic and CRC are good.
func parseRSABlock(blk *Block, raw []byte) error {
	blk.Scheme = SchemeRSA3072
	blk.ImageDigest = raw[digestOffset : digestOffset+32]
	blk.KeyDigest = sha256Sum(raw[rsaOffN:rsaKeyEnd])
	if raw[2] != 0 || raw[3] != 0 {
		return fmt.Errorf("%w: reserved bytes 2-3 are %#02x %#02x, want 0", ErrBlockFields, raw[2], raw[3])
	}
	n := fromLE(raw[rsaOffN:rsaOffE])
	pub := &rsa.PublicKey{N: n, E: int(binary.LittleEndian.Uint32(raw[rsaOffE:]))}
	want, err := rsaKeyFields(pub)
	if err != nil {
		return err
	}
	if string(want) != string(raw[rsaOffN:rsaKeyEnd]) {
		return fmt.Errorf("%w: rinv/mdash do not match the modulus", ErrBlockFields)
	}
	blk.PublicKey = pub
	sig := slices.Clone(raw[rsaOffSig : rsaOffSig+rsaBytes])
	slices.Reverse(sig)
	blk.Signature = sig
	return nil
}
