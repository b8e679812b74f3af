// Package mcuboot owns the MCUboot image format: parsing, signing with any
// [crypto.Signer] (an HSM key as well as an in-memory one), verifying and
// describing images byte-compatible with imgtool v2.x and the MCUboot
// bootloader. The facts and their sources (image.h, bootutil, imgtool at
// MCUboot v2.4.0) are collected in the project's mcuboot-formats.md
// design note; comments here cite its sections as §1, §2, ...
//
// # Format
//
// All integers are little-endian and nothing is aligned:
//
//	0x00            image header, 32 bytes: magic 0x96f3b83d, load address,
//	                ih_hdr_size, ih_protect_tlv_size, ih_img_size, flags,
//	                version maj.min.rev+build, zero pad word
//	0x20            header padding up to ih_hdr_size (0xFF with --pad-header)
//	hdr             body, ih_img_size bytes
//	hdr+img         protected TLV area, if any: info {0x6908, total}, then
//	                SEC_CNT (u32), DEPENDENCY (image id, version) ...;
//	                total == ih_protect_tlv_size
//	+prot           unprotected TLV area: info {0x6907, total}, then the
//	                image hash, KEYHASH and the signature
//
// The hash (SHA-256; SHA-384 for ECDSA P-384) covers everything before the
// unprotected area: header with padding, body and protected TLVs. The
// signature covers only that digest: RSA-PSS (SHA-256, MGF1, salt 32) for
// RSA-2048 and RSA-3072, ASN.1 DER ECDSA for P-256 and P-384, and plain
// Ed25519 whose message is the 32-byte digest. KEYHASH is the same hash
// over the key bytes a bootloader embeds: PKCS#1 DER for RSA,
// SubjectPublicKeyInfo DER for ECDSA and Ed25519. The trailer at the end
// of a slot (image_ok, copy_done, magic) is outside the image and not
// handled here.
//
// # Parsing
//
// [Parse] takes exactly an image; [ParseSlot] an image at the start of a
// slot with anything after it. Both check the structure strictly within
// the bounds in limits.go and report a [*FormatError] naming the field and
// offset. Only one hash, one key and one signature TLV are accepted, which
// is all imgtool writes.
//
// # Signing and verifying
//
// [Sign] builds the image from a raw binary and [SignOptions], asks the
// signer for one signature over the digest and verifies the result before
// returning it. [Verify] checks hash, key hash, signature and the security
// counter against a floor, and returns a [Verified] value; code that needs
// a verified image should take one as a parameter. [Image.Info] describes
// an image for `image info`.
//
// Not supported: encrypted images, pure Ed25519 (SIG_PURE), signing with
// SHA-512, images with several signatures, big-endian images.
package mcuboot
