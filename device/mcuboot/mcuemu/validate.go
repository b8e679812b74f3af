package mcuemu

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"signbox/device/mcuboot"
)

// checkImage is the application side's structural check before an
// upload: a well-formed image that fits the image area.
func (d *Device) checkImage(b []byte) (*mcuboot.Image, error) {
	if len(b) > d.layout.MaxImageSize() {
		return nil, fmt.Errorf("%w: %d bytes, the image area is %d", ErrImageTooLarge, len(b), d.layout.MaxImageSize())
	}
	img, err := mcuboot.ParseSlot(b)
	if err != nil {
		return nil, err
	}
	if img.Len != len(b) && !allErased(b[img.Len:]) {
		return nil, fmt.Errorf("image: %d bytes after the TLV areas that are not erased", len(b)-img.Len)
	}
	return img, nil
}

// validate is the bootloader's check of the image at the start of slot s
// (image_validate.c with MCUBOOT_HW_ROLLBACK_PROT): structure, hash, a
// KEYHASH naming one of the built-in keys, that key's signature, and a
// mandatory SEC_CNT not below the hardware counter.
func (d *Device) validate(s slot) (mcuboot.Verified, error) {
	img, err := mcuboot.ParseSlot(d.flash.view(s.off, s.size-d.layout.SectorSize))
	if err != nil {
		return mcuboot.Verified{}, err
	}
	kh, ok := img.Find(mcuboot.TLVKeyHash)
	if !ok {
		return mcuboot.Verified{}, mcuboot.ErrNoKeyHash
	}
	for i, k := range d.keys {
		want, err := mcuboot.KeyHash(k)
		if err != nil || !bytes.Equal(want, kh.Value) {
			continue
		}
		return d.verified.verify(img, i, k, d.counter)
	}
	return mcuboot.Verified{}, fmt.Errorf("%w: KEYHASH %x names none of the bootloader's %d keys", errUnknownKey, kh.Value, len(d.keys))
}

// verifyCache remembers successful verifications by the SHA-256 of the
// whole image, the key and the counter floor: Verify is a pure function
// of those, and the power-cut sweep boots the same few images thousands
// of times. emulator: a bootloader verifies from scratch every boot; here
// each boot still hashes the whole image (the cache key), only the
// public-key operation of an identical image is not repeated. Clones
// share the cache.
type verifyCache struct {
	mu sync.Mutex
	ok map[[sha256.Size + 8]byte]mcuboot.Verified
}

func newVerifyCache() *verifyCache {
	return &verifyCache{ok: map[[sha256.Size + 8]byte]mcuboot.Verified{}}
}

func (c *verifyCache) verify(img *mcuboot.Image, keyIdx int, k crypto.PublicKey, floor uint32) (mcuboot.Verified, error) {
	var key [sha256.Size + 8]byte
	sum := sha256.Sum256(img.Bytes())
	copy(key[:], sum[:])
	binary.LittleEndian.PutUint32(key[sha256.Size:], uint32(keyIdx))
	binary.LittleEndian.PutUint32(key[sha256.Size+4:], floor)
	c.mu.Lock()
	v, hit := c.ok[key]
	c.mu.Unlock()
	if hit {
		return v, nil
	}
	v, err := img.Verify(k, mcuboot.VerifyOptions{MinSecurityCounter: floor})
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.ok[key] = v
	c.mu.Unlock()
	return v, nil
}

var errUnknownKey = errors.New("image signed by an unknown key")

// imageSectors is how many sectors the image in slot s spans, or the whole
// image area when the slot holds no well-formed image.
func (d *Device) imageSectors(s slot) int {
	img, err := mcuboot.ParseSlot(d.flash.view(s.off, s.size-d.layout.SectorSize))
	if err != nil {
		return d.layout.ImageSectors
	}
	return (img.Len + d.layout.SectorSize - 1) / d.layout.SectorSize
}
