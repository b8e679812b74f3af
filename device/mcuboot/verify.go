package mcuboot

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"slices"
)

// VerifyOptions say what the device enforces beyond hash, key and signature.
type VerifyOptions struct {
	// MinSecurityCounter is the floor: the hardware security counter the
	// device holds (MCUBOOT_HW_ROLLBACK_PROT). An image whose SEC_CNT is
	// lower is refused; equal is accepted, as bootutil does
	// (mcuboot-formats.md §4).
	MinSecurityCounter uint32

	// AllowNoSecurityCounter accepts an image without a SEC_CNT TLV, for
	// a bootloader built without rollback protection. Without it the TLV
	// is mandatory, as with MCUBOOT_HW_ROLLBACK_PROT. It contradicts a
	// non-zero MinSecurityCounter and is refused with one.
	AllowNoSecurityCounter bool
}

// pssOptions are the only RSA-PSS parameters image_rsa.c accepts:
// SHA-256, MGF1-SHA-256, salt length 32 (mcuboot-formats.md §2).
var pssOptions = &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}

// Verify parses an image file (strictly, see Parse) and checks it against
// pub as a bootloader holding that key does; see (*Image).Verify.
func Verify(b []byte, pub crypto.PublicKey, opts VerifyOptions) (Verified, error) {
	img, err := Parse(b)
	if err != nil {
		return Verified{}, err
	}
	return img.Verify(pub, opts)
}

// Verify checks, in this order: the hash TLV's algorithm suits pub's
// type and its value is the hash of header, body and protected TLVs; the
// KEYHASH TLV is pub's key hash (or the PUBKEY TLV holds pub's bytes);
// the signature TLV for pub's type verifies over the digest; the
// security counter is present (unless allowed absent) and at least the
// floor. Encrypted images and pure Ed25519 signatures are refused with
// ErrUnsupported. Unlike `imgtool verify` the key hash is checked.
func (img *Image) Verify(pub crypto.PublicKey, opts VerifyOptions) (Verified, error) {
	if opts.AllowNoSecurityCounter && opts.MinSecurityCounter != 0 {
		return Verified{}, fmt.Errorf("%w: AllowNoSecurityCounter with MinSecurityCounter %d", ErrBadOptions, opts.MinSecurityCounter)
	}
	alg, err := AlgorithmOf(pub)
	if err != nil {
		return Verified{}, err
	}
	if err := img.checkSupported(); err != nil {
		return Verified{}, err
	}
	h, digest, err := img.checkHash(alg)
	if err != nil {
		return Verified{}, err
	}
	kh, err := img.checkKey(pub, h)
	if err != nil {
		return Verified{}, err
	}
	if err := img.checkSignature(pub, alg, digest); err != nil {
		return Verified{}, err
	}
	if err := img.checkCounter(opts); err != nil {
		return Verified{}, err
	}
	return img.verified(alg, h, digest, kh), nil
}

func (img *Image) checkSupported() error {
	if img.Header.Flags&encryptedFlags != 0 {
		return fmt.Errorf("%w: encrypted image (%s): its hash covers the plaintext", ErrUnsupported, img.Header.Flags&encryptedFlags)
	}
	if _, ok := img.Find(TLVSigPure); ok {
		return fmt.Errorf("%w: pure signature (SIG_PURE TLV)", ErrUnsupported)
	}
	return nil
}

// checkHash returns the hash function and the verified digest.
func (img *Image) checkHash(alg Algorithm) (crypto.Hash, []byte, error) {
	t, ok := img.Find(TLVSHA256, TLVSHA384, TLVSHA512)
	if !ok {
		return 0, nil, ErrNoHash
	}
	h := hashOfTLV(t.Type)
	if !slices.Contains(alg.hashes(), h) {
		return 0, nil, fmt.Errorf("%w: image has %s, %s keys sign %s", ErrHashAlgorithm, t.Type, alg, hashTLVType(alg.Hash()))
	}
	digest := img.Digest(h)
	if !bytes.Equal(digest, t.Value) {
		return 0, nil, fmt.Errorf("%w: %s TLV at %#x has %x, image hashes to %x", ErrHashMismatch, t.Type, t.Offset, t.Value, digest)
	}
	return h, digest, nil
}

// checkKey returns the image's key hash after checking it names pub.
func (img *Image) checkKey(pub crypto.PublicKey, h crypto.Hash) ([]byte, error) {
	want, err := keyHash(pub, h)
	if err != nil {
		return nil, err
	}
	t, ok := img.Find(TLVKeyHash, TLVPubKey)
	switch {
	case !ok:
		return nil, ErrNoKeyHash
	case t.Type == TLVKeyHash && !bytes.Equal(t.Value, want):
		return nil, fmt.Errorf("%w: KEYHASH TLV at %#x has %x, key hashes to %x", ErrKeyHashMismatch, t.Offset, t.Value, want)
	case t.Type == TLVPubKey:
		kb, _ := PublicKeyBytes(pub)
		if !bytes.Equal(t.Value, kb) {
			return nil, fmt.Errorf("%w: PUBKEY TLV at %#x holds another key", ErrKeyHashMismatch, t.Offset)
		}
	}
	return want, nil
}

func (img *Image) checkSignature(pub crypto.PublicKey, alg Algorithm, digest []byte) error {
	t, ok := img.Find(alg.SigTLV())
	if !ok {
		have := "none"
		if o, ok := img.Find(TLVRSA2048PSS, TLVECDSA224, TLVECDSASig, TLVRSA3072PSS, TLVEd25519); ok {
			have = o.Type.String()
		}
		return fmt.Errorf("%w: want %s for %s, image has %s", ErrNoSignature, alg.SigTLV(), alg, have)
	}
	if !verifySig(pub, digest, t.Value) {
		return fmt.Errorf("%w: %s TLV at %#x (%s)", ErrBadSignature, t.Type, t.Offset, alg)
	}
	return nil
}

// verifySig checks sig over digest as the bootloader does; pub is one of
// the types AlgorithmOf accepts.
func verifySig(pub crypto.PublicKey, digest, sig []byte) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPSS(k, crypto.SHA256, digest, sig, pssOptions) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest, sig)
	case ed25519.PublicKey:
		return ed25519.Verify(k, digest, sig)
	}
	return false
}

func (img *Image) checkCounter(opts VerifyOptions) error {
	if !img.HasSecurityCounter {
		if opts.AllowNoSecurityCounter {
			return nil
		}
		return ErrNoSecurityCounter
	}
	if img.SecurityCounter < opts.MinSecurityCounter {
		return fmt.Errorf("%w: image has %d, device requires at least %d", ErrSecurityCounterLow, img.SecurityCounter, opts.MinSecurityCounter)
	}
	return nil
}

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
