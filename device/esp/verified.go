package esp

import "crypto"

// Verified is proof that a signed image passed Verify or VerifyDigests:
// only this package can make a non-zero one, so code that must only handle
// verified images can take a Verified as a parameter and check OK.
type Verified struct {
	ok            bool
	block         int
	slot          int
	scheme        Scheme
	keyDigest     [32]byte
	key           crypto.PublicKey
	imageDigest   []byte
	chip          Chip
	kind          Kind
	secureVersion uint32
}

// OK reports whether the value came from a successful verification (the
// zero Verified is not OK).
func (v Verified) OK() bool { return v.ok }

// Block is the index (0-2) of the signature block that verified.
func (v Verified) Block() int { return v.block }

// Slot is the eFuse key digest slot that matched, or -1 when the image was
// verified against public keys rather than digests.
func (v Verified) Slot() int { return v.slot }

// Scheme of the block that verified.
func (v Verified) Scheme() Scheme { return v.scheme }

// KeyDigest of the key that verified.
func (v Verified) KeyDigest() [32]byte { return v.keyDigest }

// PublicKey that verified (*rsa.PublicKey or *ecdsa.PublicKey).
func (v Verified) PublicKey() crypto.PublicKey { return v.key }

// ImageDigest is the digest of the signed bytes (SHA-256, or SHA-384 for P-384).
func (v Verified) ImageDigest() []byte { return append([]byte(nil), v.imageDigest...) }

// Chip from the verified image's header.
func (v Verified) Chip() Chip { return v.chip }

// Kind of the verified image.
func (v Verified) Kind() Kind { return v.kind }

// SecureVersion from the verified image's descriptor.
func (v Verified) SecureVersion() uint32 { return v.secureVersion }
