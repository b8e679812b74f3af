package esp

import (
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Block is one parsed Secure Boot V2 signature block.
type Block struct {
	Index       int // 0, 1 or 2: position in the sector
	Scheme      Scheme
	ImageDigest []byte // digest of the signed bytes as stored (32 or 48 bytes)
	// PublicKey is *rsa.PublicKey or *ecdsa.PublicKey; nil if the block is
	// too broken to hold a key or uses P-192.
	PublicKey crypto.PublicKey
	// KeyDigest is SHA-256 over the block's key fields: the value burned
	// into an eFuse key digest slot.
	KeyDigest [32]byte
	// Signature is big-endian as standard tools use it: the RSA-PSS
	// signature, or r||s for ECDSA.
	Signature []byte
	CRC       uint32
	// Err is why the bootloader would skip this block (bad magic, CRC,
	// version or fields); nil for a well-formed block. It is a *BlockError.
	Err error
	Raw []byte // the 1216 bytes, referring into the parsed sector
}

// Sector is a parsed signature sector: 1 to 3 blocks, in order.
type Sector struct {
	Blocks []Block
}

// ParseSignatureSector parses a 4096-byte signature sector. Blocks that
// the bootloader would skip (bad CRC, unknown version, inconsistent key
// fields) are returned with Block.Err set rather than failing the whole
// sector, because a later block may still verify. The sector itself must
// have a block at offset 0, no block after an erased (all 0xFF) slot, and
// 0xFF after the last slot.
func ParseSignatureSector(b []byte) (*Sector, error) {
	if len(b) != SectorSize {
		return nil, formatErr(0, "signature sector", ErrTruncated, "%d bytes, want %d", len(b), SectorSize)
	}
	sec := &Sector{}
	erased := false
	for i := 0; i < MaxBlocks; i++ {
		raw := b[i*BlockSize : (i+1)*BlockSize]
		if firstNotFF(raw) == len(raw) {
			erased = true
			continue
		}
		if erased {
			return nil, formatErr(i*BlockSize, fmt.Sprintf("signature block %d", i), ErrTrailingData, "block follows an erased slot")
		}
		sec.Blocks = append(sec.Blocks, parseBlock(i, raw))
	}
	if len(sec.Blocks) == 0 {
		return nil, formatErr(0, "signature sector", ErrNoBlock, "sector is erased")
	}
	tail := b[MaxBlocks*BlockSize:]
	if i := firstNotFF(tail); i < len(tail) {
		return nil, formatErr(MaxBlocks*BlockSize+i, "signature sector", ErrTrailingData, "bytes after the last block must be 0xFF")
	}
	return sec, nil
}

// parseBlock never fails: problems land in Block.Err.
func parseBlock(i int, raw []byte) Block {
	blk := Block{Index: i, Raw: raw, CRC: binary.LittleEndian.Uint32(raw[blockCRCOff:])}
	if err := checkBlock(&blk, raw); err != nil {
		blk.Err = &BlockError{Block: i, Err: err}
	}
	return blk
}

func checkBlock(blk *Block, raw []byte) error {
	if raw[0] != blockMagic {
		return fmt.Errorf("%w: block magic %#02x, want %#02x", ErrBadMagic, raw[0], blockMagic)
	}
	var err error
	switch raw[1] {
	case rsaVersion:
		err = parseRSABlock(blk, raw)
	case ecdsaVersion:
		err = parseECDSABlock(blk, raw)
	default:
		return fmt.Errorf("%w: %#02x (0x02 RSA, 0x03 ECDSA)", ErrBlockVersion, raw[1])
	}
	// The CRC is checked after the fields so a bad-CRC block still shows
	// its key digest, but it takes precedence: the bootloader checks it first.
	if want := crc32.ChecksumIEEE(raw[:blockCRCOff]); want != blk.CRC {
		return fmt.Errorf("%w: stored %#08x, computed %#08x", ErrBlockCRC, blk.CRC, want)
	}
	if err != nil {
		return err
	}
	if i := firstNonZero(raw[blockCRCOff+4:]); i >= 0 {
		return fmt.Errorf("%w: padding byte %d after the crc is not zero", ErrBlockFields, blockCRCOff+4+i)
	}
	return nil
}

// putCRC stores the standard CRC-32 of bytes 0..1195 (esp_rom_crc32_le
// with seed 0) at 1196.
func putCRC(b []byte) {
	binary.LittleEndian.PutUint32(b[blockCRCOff:], crc32.ChecksumIEEE(b[:blockCRCOff]))
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// Signatures parses the image's signature sector; ErrNotSigned if it has none.
func (img *Image) Signatures() (*Sector, error) {
	if img.Sector == nil {
		return nil, ErrNotSigned
	}
	return ParseSignatureSector(img.Sector)
}

// encodeSector lays blocks out in a fresh 0xFF-filled sector.
func encodeSector(blocks [][]byte) []byte {
	s := make([]byte, SectorSize)
	for i := range s {
		s[i] = 0xFF
	}
	for i, b := range blocks {
		copy(s[i*BlockSize:], b)
	}
	return s
}
