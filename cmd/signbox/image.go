package main

import (
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"signbox/device/esp"
	"signbox/device/mcuboot"
)

// The image commands look at ESP app and bootloader images the way
// esptool image_info and espsecure verify_signature do, without any
// secret: they are what a reviewer runs on an image before and after a
// ceremony. image verify also applies the rules of the chip in the image
// header (schemes its ROM verifies, blocks it reads, ESP32 revision),
// which espsecure does not.

func init() {
	register(&command{path: "image info", usage: "FILE",
		summary: "show an ESP image (header, segments, descriptor, signature blocks and key digests) or an MCUboot image (header and TLVs)", run: runImageInfo})
	register(&command{path: "image verify", usage: "FILE (--key PUB.pem... | --digest HEX... [--revoked N...]) [--min-security-counter N] [--format text|json]",
		summary: "verify an ESP image's Secure Boot V2 signatures or an MCUboot image's signature (exit 0 valid, 1 invalid, 3 could not check)", run: runImageVerify})
}

func runImageInfo(e *env, args []string) error {
	fs := newFlags(e, "image info")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one FILE")
	}
	b, err := readImageFile(pos[0])
	if err != nil {
		return err
	}
	if mcuboot.HasMagic(b) {
		// An imgtool --pad file or a slot dump: the image at its start.
		img, err := mcuboot.ParseSlot(b)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		fmt.Fprintf(e.stdout, "File: %s (%d bytes)\n%s", pos[0], len(b), img.Info())
		return nil
	}
	img, err := esp.ParseImage(b)
	if err != nil {
		return imageHint(fmt.Errorf("%s: %w", pos[0], err))
	}
	printImage(e.stdout, pos[0], img)
	return nil
}

func readImageFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, couldNotCheck{err}
	}
	if !fi.Mode().IsRegular() || fi.Size() > esp.MaxImageSize {
		return nil, couldNotCheck{fmt.Errorf("%s: not a regular file of at most %d bytes", path, esp.MaxImageSize)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, couldNotCheck{err}
	}
	return b, nil
}

func printImage(w io.Writer, name string, img *esp.Image) {
	h := img.Header
	fmt.Fprintf(w, "File: %s (%d bytes)\n", name, len(img.Bytes()))
	fmt.Fprintf(w, "Image: %s for %s (chip_id %d), %d bytes, padded %d\n", img.Kind, h.Chip, uint16(h.Chip), img.Len, img.PaddedLen)
	fmt.Fprintf(w, "Entry point: %#08x\n", h.EntryAddr)
	fmt.Fprintf(w, "Flash: mode %s, size %s, speed nibble %#x\n", h.SPIModeName(), h.FlashSizeName(), h.SPISpeed)
	fmt.Fprintf(w, "Chip revision: min v%d.%d, max v%d.%d\n", h.MinChipRevFull/100, h.MinChipRevFull%100, h.MaxChipRevFull/100, h.MaxChipRevFull%100)
	fmt.Fprintf(w, "Segments: %d\n", len(img.Segments))
	for i, s := range img.Segments {
		fmt.Fprintf(w, "  %d: load %#08x, file offset 0x%05x, %d bytes\n", i, s.LoadAddr, s.Offset, s.Len)
	}
	fmt.Fprintf(w, "Checksum: %#02x (valid)\n", img.Checksum)
	if h.HashAppended {
		fmt.Fprintf(w, "Validation hash: %x (valid)\n", img.Hash)
	}
	printDescriptor(w, img)
	fmt.Fprintf(w, "Secure version: %d\n", img.SecureVersion())
	printSignatures(w, img)
}

func printDescriptor(w io.Writer, img *esp.Image) {
	if a := img.App; a != nil {
		fmt.Fprintf(w, "App descriptor: project %q, version %q, built %q %q, ESP-IDF %q\n", a.ProjectName, a.Version, a.Date, a.Time, a.IDFVersion)
		fmt.Fprintf(w, "  ELF SHA-256: %x\n", a.ELFSHA256)
		return
	}
	b := img.Bootloader
	if b == nil {
		fmt.Fprintln(w, "Bootloader descriptor: none (built by ESP-IDF before v5.1; read as esptool reads it)")
		return
	}
	fmt.Fprintf(w, "Bootloader descriptor: version %d, built %q, ESP-IDF %q\n", b.Version, b.DateTime, b.IDFVersion)
}

func printSignatures(w io.Writer, img *esp.Image) {
	if !img.Signed() {
		fmt.Fprintln(w, "Signatures: none (unsigned)")
		return
	}
	sec, err := img.Signatures()
	if err != nil {
		fmt.Fprintf(w, "Signatures: sector unreadable: %v\n", err)
		return
	}
	fmt.Fprintf(w, "Signatures: %d block(s)\n", len(sec.Blocks))
	for _, b := range sec.Blocks {
		fmt.Fprintf(w, "  block %d: %s\n", b.Index, b.Scheme)
		fmt.Fprintf(w, "    key digest:   %x (eFuse key digest, not an SPKI fingerprint)\n", b.KeyDigest)
		match := "matches image"
		if string(b.ImageDigest) != string(img.Digest(b.Scheme)) {
			match = "DOES NOT match image"
		}
		fmt.Fprintf(w, "    image digest: %x (%s)\n", b.ImageDigest, match)
		fmt.Fprintf(w, "    crc32:        %#08x\n", b.CRC)
		if b.Err != nil {
			fmt.Fprintf(w, "    INVALID: %v\n", errors.Unwrap(b.Err))
		}
	}
}

func runImageVerify(e *env, args []string) error {
	fs := newFlags(e, "image verify")
	var keys, digests, revoked listFlag
	fs.Var(&keys, "key", "public key PEM file (repeatable)")
	fs.Var(&digests, "digest", "eFuse key digest, 64 hex digits, for slots 0, 1, 2 in order (repeatable)")
	fs.Var(&revoked, "revoked", "revoked eFuse slot number (repeatable; with --digest)")
	minSec := fs.Int64("min-security-counter", -1, "MCUboot: the device's hardware security counter; the image's SEC_CNT must be present and at least this")
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	if len(pos) == 1 {
		if b, err := readImageFile(pos[0]); err == nil && mcuboot.HasMagic(b) {
			if len(digests) > 0 || len(revoked) > 0 || len(keys) == 0 {
				return usageErr("an MCUboot image is checked against --key files (the bootloader's keys)")
			}
			if asJSON {
				return usageErr("--format json is for ESP images; an MCUboot image's verdict is text only for now")
			}
			return verifyMCUbootImage(e, pos[0], b, keys, *minSec)
		}
	}
	if *minSec >= 0 {
		return usageErr("--min-security-counter is for MCUboot images; an ESP image's secure_version is checked on the device")
	}
	switch {
	case len(pos) != 1:
		return usageErr("want exactly one FILE")
	case (len(keys) == 0) == (len(digests) == 0):
		return usageErr("give either --key or --digest")
	case len(revoked) > 0 && len(digests) == 0:
		return usageErr("--revoked needs --digest")
	}
	b, err := readImageFile(pos[0])
	if err != nil {
		return err
	}
	var v esp.Verified
	if len(keys) > 0 {
		v, err = imageVerifyKeys(b, keys)
	} else {
		v, err = imageVerifyDigests(b, digests, revoked)
	}
	if err != nil {
		err = imageHint(fmt.Errorf("%s: %w", pos[0], err))
		if asJSON {
			return invalidJSON(e, err, imageInvalid)
		}
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, imageJSONOf(v))
	}
	slot := ""
	if v.Slot() >= 0 {
		slot = fmt.Sprintf(", eFuse slot %d", v.Slot())
	}
	fmt.Fprintf(e.stdout, "valid: %s %s, secure_version %d, block %d %s%s, eFuse key digest %x\n",
		v.Chip(), v.Kind(), v.SecureVersion(), v.Block(), v.Scheme(), slot, v.KeyDigest())
	return nil
}

// verifyMCUbootImage checks an MCUboot image file (exactly an image, as
// imgtool writes it without --pad) against the keys, the one its KEYHASH
// names verifying it, as the bootloader would.
func verifyMCUbootImage(e *env, name string, b []byte, paths []string, minSec int64) error {
	if minSec > math.MaxUint32 {
		return usageErr("--min-security-counter %d: SEC_CNT is 32 bits", minSec)
	}
	opts := mcuboot.VerifyOptions{AllowNoSecurityCounter: minSec < 0}
	if minSec > 0 {
		opts.MinSecurityCounter = uint32(minSec)
	}
	img, err := mcuboot.Parse(b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var last error
	for _, p := range paths {
		pb, err := os.ReadFile(p)
		if err != nil {
			return couldNotCheck{err}
		}
		k, err := parsePublicKeyPEM(pb)
		if err != nil {
			return couldNotCheck{fmt.Errorf("%s: %w", p, err)}
		}
		v, err := img.Verify(k, opts)
		if errors.Is(err, mcuboot.ErrKeyHashMismatch) || errors.Is(err, mcuboot.ErrUnsupportedKey) || errors.Is(err, mcuboot.ErrHashAlgorithm) {
			last = err
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sc := "no SEC_CNT"
		if c, ok := v.SecurityCounter(); ok {
			sc = fmt.Sprintf("SEC_CNT %d", c)
		}
		fmt.Fprintf(e.stdout, "valid: MCUboot image %s, %s, %s over %s, key %s (key hash %x)\n",
			v.Version(), sc, v.Algorithm(), v.Hash(), p, v.KeyHash())
		return nil
	}
	return withHint(fmt.Errorf("%s: no --key is the one the image names: %w", name, last),
		"`signbox image info` shows the image's KEYHASH")
}

func imageVerifyKeys(b []byte, paths []string) (esp.Verified, error) {
	var pubs []crypto.PublicKey
	for _, p := range paths {
		k, err := imagePublicKey(p)
		if err != nil {
			return esp.Verified{}, couldNotCheck{err}
		}
		pubs = append(pubs, k)
	}
	return esp.VerifyOnChip(b, pubs...)
}

func imageVerifyDigests(b []byte, hexes, revoked []string) (esp.Verified, error) {
	if len(hexes) > esp.MaxBlocks {
		return esp.Verified{}, usageErr("at most %d --digest values (one per eFuse slot)", esp.MaxBlocks)
	}
	var digests [3][32]byte
	var rev [3]bool
	for i, h := range hexes {
		d, err := hex.DecodeString(h)
		if err != nil || len(d) != 32 {
			return esp.Verified{}, usageErr("--digest %q: want 64 hex digits", h)
		}
		copy(digests[i][:], d)
	}
	for _, r := range revoked {
		n, err := strconv.Atoi(r)
		if err != nil || n < 0 || n >= esp.MaxBlocks {
			return esp.Verified{}, usageErr("--revoked %q: want a slot number 0, 1 or 2", r)
		}
		rev[n] = true
	}
	return esp.VerifyDigests(b, digests, rev)
}

// imagePublicKey reads a PEM public key (SubjectPublicKeyInfo, as
// espsecure and openssl write them).
func imagePublicKey(path string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := parsePublicKeyPEM(b)
	if errors.Is(err, errNoPublicKeyPEM) {
		return nil, withHint(fmt.Errorf("%s: %w", path, err),
			"export the public half, e.g. `openssl pkey -pubout -in key.pem`")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := esp.SchemeOf(k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func imageHint(err error) error {
	switch {
	case errors.Is(err, esp.ErrNotSigned):
		return withHint(err, "this image has no Secure Boot V2 signature sector; sign it in a release ceremony")
	case errors.Is(err, esp.ErrUntrustedKey):
		return withHint(err, "`signbox image info` shows each block's key digest; compare it with the key you expected")
	case errors.Is(err, esp.ErrChipScheme), errors.Is(err, esp.ErrChipRevision):
		return withHint(err, "espsecure verify_signature checks only the signature; the chip named in the image header would refuse to boot it")
	case errors.Is(err, esp.ErrChecksum), errors.Is(err, esp.ErrHashMismatch):
		return withHint(err, "the image was changed after it was built or signed")
	}
	return err
}
