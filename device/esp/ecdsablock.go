package esp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
)

// ECDSA block layout (version 0x03): byte 2 is sha_version (0 SHA-256,
// 1 SHA-384); then digest, curve_id, X||Y and r||s, each coordinate
// little-endian. P-192 packs its 24-byte coordinates and leaves the last
// 16 bytes of each 64-byte field zero.
const (
	ecdsaVersion = 0x03
	curveP192    = 1
	curveP256    = 2
	curveP384    = 3
)

// ecLayout is where a curve's fields sit in the block.
type ecLayout struct {
	scheme  Scheme
	curveID byte
	shaVer  byte
	digest  int // digest length; the curve_id byte follows it
	coord   int // coordinate size on the curve
	region  int // bytes reserved for X||Y and for r||s
	curve   elliptic.Curve
}

func (l ecLayout) curveOff() int { return digestOffset + l.digest }
func (l ecLayout) pointOff() int { return l.curveOff() + 1 }
func (l ecLayout) sigOff() int   { return l.pointOff() + l.region }
func (l ecLayout) end() int      { return l.sigOff() + l.region }

var ecLayouts = map[Scheme]ecLayout{
	SchemeECDSAP192: {SchemeECDSAP192, curveP192, 0, 32, 24, 64, nil},
	SchemeECDSAP256: {SchemeECDSAP256, curveP256, 0, 32, 32, 64, elliptic.P256()},
	SchemeECDSAP384: {SchemeECDSAP384, curveP384, 1, 48, 48, 96, elliptic.P384()},
}

func ecLayoutFor(pub *ecdsa.PublicKey) (ecLayout, error) {
	for _, l := range ecLayouts {
		if l.curve != nil && pub.Curve == l.curve {
			return l, nil
		}
	}
	return ecLayout{}, fmt.Errorf("%w: ecdsa curve %s (want P-256 or P-384)", ErrUnsupportedKey, pub.Curve.Params().Name)
}

// putCoords writes two big-endian coordinates little-endian, one after
// the other.
func putCoords(dst []byte, l ecLayout, a, b []byte) {
	for i, c := range [][]byte{a, b} {
		s := dst[i*l.coord : (i+1)*l.coord]
		copy(s, c)
		slices.Reverse(s)
	}
}

// ecKeyFields is curve_id || X || Y as stored in the block; its SHA-256
// is the key digest burned into eFuse.
func ecKeyFields(pub *ecdsa.PublicKey) (ecLayout, []byte, error) {
	l, err := ecLayoutFor(pub)
	if err != nil {
		return l, nil, err
	}
	raw, err := pub.Bytes() // 0x04 || X || Y, big-endian
	if err != nil {
		return l, nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	out := make([]byte, 1+l.region)
	out[0] = l.curveID
	putCoords(out[1:], l, raw[1:1+l.coord], raw[1+l.coord:])
	return l, out, nil
}

// encodeECDSABlock builds a block from the digest, the key and a DER
// ECDSA signature, which is how crypto.Signer returns ECDSA signatures.
func encodeECDSABlock(digest []byte, pub *ecdsa.PublicKey, der []byte) ([]byte, error) {
	l, fields, err := ecKeyFields(pub)
	if err != nil {
		return nil, err
	}
	r, s, err := parseDERSig(der, l.coord)
	if err != nil {
		return nil, err
	}
	b := make([]byte, BlockSize)
	b[0], b[1], b[2] = blockMagic, ecdsaVersion, l.shaVer
	copy(b[digestOffset:], digest)
	copy(b[l.curveOff():], fields)
	putCoords(b[l.sigOff():], l, r, s)
	putCRC(b)
	return b, nil
}

// parseDERSig returns r and s as size-byte big-endian values.
func parseDERSig(der []byte, size int) (r, s []byte, err error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 ||
		sig.R.BitLen() > size*8 || sig.S.BitLen() > size*8 {
		return nil, nil, fmt.Errorf("%w: signer returned a malformed ecdsa signature", ErrBlockFields)
	}
	return sig.R.FillBytes(make([]byte, size)), sig.S.FillBytes(make([]byte, size)), nil
}

// parseECDSABlock fills blk from an ECDSA block whose magic and CRC are good.
func parseECDSABlock(blk *Block, raw []byte) error {
	l, err := ecLayoutOf(raw)
	if err != nil {
		return err
	}
	blk.Scheme = l.scheme
	blk.ImageDigest = raw[digestOffset : digestOffset+l.digest]
	blk.KeyDigest = sha256Sum(raw[l.curveOff():l.sigOff()])
	if raw[3] != 0 {
		return fmt.Errorf("%w: reserved byte 3 is %#02x, want 0", ErrBlockFields, raw[3])
	}
	if i := firstNonZero(raw[l.end():blockCRCOff]); i >= 0 {
		return fmt.Errorf("%w: byte %d after the signature is not zero", ErrBlockFields, l.end()+i)
	}
	point, sig := raw[l.pointOff():l.sigOff()], raw[l.sigOff():l.end()]
	for _, pad := range [][]byte{point, sig} {
		if firstNonZero(pad[2*l.coord:]) >= 0 {
			return fmt.Errorf("%w: %s coordinate padding is not zero", ErrBlockFields, l.scheme)
		}
	}
	blk.Signature = append(beCoord(sig, l, 0), beCoord(sig, l, 1)...)
	if l.curve == nil {
		return fmt.Errorf("%w: %s cannot be verified here", ErrUnsupportedKey, l.scheme)
	}
	enc := append([]byte{4}, append(beCoord(point, l, 0), beCoord(point, l, 1)...)...)
	pub, err := ecdsa.ParseUncompressedPublicKey(l.curve, enc)
	if err != nil {
		return fmt.Errorf("%w: %s public key: %v", ErrBlockFields, l.scheme, err)
	}
	blk.PublicKey = pub
	return nil
}

// ecLayoutOf picks the layout from sha_version and curve_id.
func ecLayoutOf(raw []byte) (ecLayout, error) {
	for _, l := range ecLayouts {
		if raw[2] == l.shaVer && raw[l.curveOff()] == l.curveID {
			return l, nil
		}
	}
	return ecLayout{}, fmt.Errorf("%w: ecdsa sha_version %d with curve_id %d", ErrBlockFields, raw[2], raw[digestOffset+32])
}

// beCoord returns coordinate i of a pair as big-endian bytes.
func beCoord(pair []byte, l ecLayout, i int) []byte {
	c := slices.Clone(pair[i*l.coord : (i+1)*l.coord])
	slices.Reverse(c)
	return c
}

func firstNonZero(b []byte) int {
	for i, c := range b {
		if c != 0 {
			return i
		}
	}
	return -1
}
