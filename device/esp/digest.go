package esp

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"slices"
	"sync"
)

// Digest is what a Secure Boot V2 block of scheme s signs: SHA-256 (or
// SHA-384 for P-384) over the bytes before the signature sector, i.e. the
// image and its 0xFF padding to a 4096 multiple. For an image not yet
// padded the padding is hashed as 0xFF; an image from ParseFlash is hashed
// as it lies in flash, as the bootloader does. The result is computed
// once per hash function and image.
func (img *Image) Digest(s Scheme) []byte {
	return slices.Clone(img.digests.get(s.Hash(), img.signedBytes, img.PaddedLen))
}

// signedBytes is what lies before the sector in the parsed bytes: the
// padded image if present, else the image alone.
func (img *Image) signedBytes() []byte {
	return img.data[:min(len(img.data), img.PaddedLen)]
}

// digestCache hashes at most once per hash function: verification at
// every trust boundary re-checks signatures, and hashing dominates it.
type digestCache struct {
	mu     sync.Mutex
	sha256 []byte
	sha384 []byte
}

func (c *digestCache) get(h crypto.Hash, data func() []byte, padded int) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	slot := &c.sha256
	if h == crypto.SHA384 {
		slot = &c.sha384
	}
	if *slot == nil {
		*slot = hashPadded(h, data(), padded)
	}
	return *slot
}

func hashPadded(h crypto.Hash, data []byte, padded int) []byte {
	pad := bytes.Repeat([]byte{0xFF}, padded-len(data))
	if h == crypto.SHA384 {
		w := sha512.New384()
		w.Write(data)
		w.Write(pad)
		return w.Sum(nil)
	}
	w := sha256.New()
	w.Write(data)
	w.Write(pad)
	return w.Sum(nil)
}
