package mcuboot

import (
	"crypto"
	"slices"
)

// Verified is proof that an image passed Verify: only this package can
// make one whose OK is true, so code that must only handle verified
// images can take a Verified as a parameter and check OK.
type Verified struct {
	ok         bool
	alg        Algorithm
	hash       crypto.Hash
	digest     []byte
	keyHash    []byte
	header     Header
	counter    uint32
	hasCounter bool
	deps       []Dependency
}

func (img *Image) verified(alg Algorithm, h crypto.Hash, digest, keyHash []byte) Verified {
	return Verified{
		ok: true, alg: alg, hash: h, digest: digest, keyHash: keyHash, header: img.Header,
		counter: img.SecurityCounter, hasCounter: img.HasSecurityCounter,
		deps: slices.Clone(img.Dependencies),
	}
}

// OK reports whether the value came from a successful verification (the
// zero Verified is not OK).
func (v Verified) OK() bool { return v.ok }

// Algorithm of the signature that verified.
func (v Verified) Algorithm() Algorithm { return v.alg }

// Hash is the image hash function (SHA-256, SHA-384 for P-384).
func (v Verified) Hash() crypto.Hash { return v.hash }

// ImageDigest is the verified hash of header, body and protected TLVs.
func (v Verified) ImageDigest() []byte { return slices.Clone(v.digest) }

// KeyHash of the key that verified, as the KEYHASH TLV stores it.
func (v Verified) KeyHash() []byte { return slices.Clone(v.keyHash) }

// Header of the verified image; its Version is authenticated.
func (v Verified) Header() Header { return v.header }

// Version from the verified header.
func (v Verified) Version() Version { return v.header.Version }

// SecurityCounter from the protected SEC_CNT TLV, and whether there was one.
func (v Verified) SecurityCounter() (uint32, bool) { return v.counter, v.hasCounter }

// Dependencies from the protected DEPENDENCY TLVs, in order.
func (v Verified) Dependencies() []Dependency { return slices.Clone(v.deps) }
