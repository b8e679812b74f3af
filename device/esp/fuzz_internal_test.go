package esp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseSignatureSector: the parser never panics, and every block it
// accepts re-encodes to exactly its bytes (parse → encode → equality).
func FuzzParseSignatureSector(f *testing.F) {
	names, err := filepath.Glob("testdata/vectors/*.signed.bin")
	if err != nil || len(names) == 0 {
		f.Fatalf("seed glob matched nothing (%v)", err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[len(b)-SectorSize:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sec, err := ParseSignatureSector(b)
		if err != nil {
			return
		}
		for _, blk := range sec.Blocks {
			if blk.Err != nil {
				continue
			}
			got, err := reencode(blk)
			if err != nil || !bytes.Equal(got, blk.Raw) {
				t.Fatalf("block %d (%s) does not re-encode: %v", blk.Index, blk.Scheme, err)
			}
		}
	})
}

func reencode(blk Block) ([]byte, error) {
	switch k := blk.PublicKey.(type) {
	case *rsa.PublicKey:
		return encodeRSABlock(blk.ImageDigest, k, blk.Signature)
	case *ecdsa.PublicKey:
		h := len(blk.Signature) / 2
		der, _ := asn1.Marshal(struct{ R, S *big.Int }{
			new(big.Int).SetBytes(blk.Signature[:h]), new(big.Int).SetBytes(blk.Signature[h:]),
		})
		return encodeECDSABlock(blk.ImageDigest, k, der)
	}
	return nil, nil
}
