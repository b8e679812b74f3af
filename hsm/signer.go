//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/miekg/pkcs11"
)

// Signer returns a crypto.Signer for the private key labelled label.
//
//   - RSA: opts must be *rsa.PSSOptions with an explicit SaltLength (> 0 or
//     rsa.PSSSaltLengthEqualsHash) and Hash SHA-256/384/512; MGF1 uses the
//     same hash. Secure Boot V2: {SaltLength: 32, Hash: crypto.SHA256}.
//   - ECDSA: digest of opts.HashFunc(); the signature is ASN.1 DER.
//   - Ed25519: opts.HashFunc() == 0 and the raw message (pure Ed25519).
//
// The rand argument of Sign is ignored: the token makes its own randomness.
// Every signature is verified against the public key before it is returned.
func (t *Token) Signer(label string) (crypto.Signer, error) {
	k, err := t.find(pkcs11.CKA_LABEL, []byte(label))
	if err != nil {
		return nil, err
	}
	return t.signerFor(k)
}

// SignerByID is Signer for the key whose CKA_ID is id.
func (t *Token) SignerByID(id []byte) (crypto.Signer, error) {
	k, err := t.find(pkcs11.CKA_ID, id)
	if err != nil {
		return nil, err
	}
	return t.signerFor(k)
}

// PinnedSigner is Signer, refusing the key unless its public half has the
// given Fingerprint, so a key swapped on the token never signs.
func (t *Token) PinnedSigner(label, fingerprint string) (crypto.Signer, error) {
	k, err := t.find(pkcs11.CKA_LABEL, []byte(label))
	if err != nil {
		return nil, err
	}
	if k.Fingerprint != fingerprint {
		return nil, &FingerprintError{Label: label, Want: fingerprint, Got: k.Fingerprint}
	}
	return t.signerFor(k)
}

func (t *Token) signerFor(k keyRef) (crypto.Signer, error) {
	if k.Derive {
		return nil, fmt.Errorf("key %q is a key-agreement key; it never signs", k.Label)
	}
	if k.Unusable != "" {
		return nil, fmt.Errorf("key %q cannot be used: %s", k.Label, k.Unusable)
	}
	if k.Public == nil {
		return nil, fmt.Errorf("key %q is an %s key, not a signing key pair", k.Label, k.Algorithm)
	}
	way, err := t.needSign(k.Algorithm)
	if err != nil {
		return nil, err
	}
	return &signer{t: t, key: k, way: way}, nil
}

type signer struct {
	t   *Token
	key keyRef
	way signWay // how Sign signs a digest on this token
}

func (s *signer) Public() crypto.PublicKey { return s.key.Public }

func (s *signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	mech, input, err := s.mechanism(s.way, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", s.key.Label, err)
	}
	return s.run(mech, input, digest, opts)
}

// SignMessage signs a whole message (crypto.MessageSigner): with the
// token's hash-and-sign mechanism when it offers one for opts.HashFunc(),
// else the host hashes and Sign signs the digest. Ed25519 always signs the
// message itself.
func (s *signer) SignMessage(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, ok := s.key.Public.(ed25519.PublicKey); ok {
		return s.Sign(nil, msg, opts)
	}
	if opts == nil || opts.HashFunc() == 0 || !opts.HashFunc().Available() {
		return nil, fmt.Errorf("key %q: a message signature needs opts.HashFunc() naming the hash", s.key.Label)
	}
	h := opts.HashFunc().New()
	h.Write(msg)
	digest := h.Sum(nil)
	way, err := messageWay(s.key.Algorithm, opts.HashFunc(), s.t.mechs)
	if err != nil || !way.combined {
		return s.Sign(nil, digest, opts)
	}
	mech, _, err := s.mechanism(way, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", s.key.Label, err)
	}
	return s.run(mech, msg, digest, opts)
}

// run signs input with mech and checks the result against digest.
func (s *signer) run(mech *pkcs11.Mechanism, input, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	var sig []byte
	err := s.t.pool.with(func(sh pkcs11.SessionHandle) error {
		if err := s.t.ctx.SignInit(sh, []*pkcs11.Mechanism{mech}, s.key.handle); err != nil {
			return fmt.Errorf("C_SignInit %s: %w", mechanismName(mech.Mechanism), err)
		}
		var err error
		if sig, err = s.t.ctx.Sign(sh, input); err != nil {
			return fmt.Errorf("C_Sign %s: %w", mechanismName(mech.Mechanism), err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", s.key.Label, err)
	}
	if _, ok := s.key.Public.(*ecdsa.PublicKey); ok {
		if sig, err = ecdsaDER(sig); err != nil {
			return nil, fmt.Errorf("key %q: %w", s.key.Label, err)
		}
	}
	if err := verify(s.key.Public, digest, sig, opts); err != nil {
		return nil, fmt.Errorf("key %q: %w: %w", s.key.Label, errBadSignature, err)
	}
	return sig, nil
}

// errBadSignature: the token signed, but the signature does not verify.
var errBadSignature = errors.New("token returned a signature that does not verify under the key's public half")

// verify checks every token signature before it leaves this package: a
// faulty RSA-CRT signature reveals the private key to whoever sees it, and
// a wrong signature should fail here, not on a device in the field.
func verify(pub crypto.PublicKey, digest, sig []byte, opts crypto.SignerOpts) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPSS(k, opts.HashFunc(), digest, sig, opts.(*rsa.PSSOptions))
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errors.New("ECDSA verification failed")
		}
	case ed25519.PublicKey:
		if !ed25519.Verify(k, digest, sig) {
			return errors.New("Ed25519 verification failed")
		}
	default:
		return fmt.Errorf("unexpected public key type %T", pub)
	}
	return nil
}

// mechanism checks opts against the key type and builds way's mechanism
// and the bytes the token signs (the digest, or for host EMSA-PSS the
// encoded message).
func (s *signer) mechanism(way signWay, digest []byte, opts crypto.SignerOpts) (*pkcs11.Mechanism, []byte, error) {
	switch pub := s.key.Public.(type) {
	case *rsa.PublicKey:
		params, err := pssParams(digest, opts)
		if err != nil {
			return nil, nil, err
		}
		if !way.hostPSS {
			return pkcs11.NewMechanism(way.mech, params.bytes()), digest, nil
		}
		em, err := emsaPSSEncode(opts.HashFunc(), digest, int(params.salt), pub.N.BitLen(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		return pkcs11.NewMechanism(way.mech, nil), em, nil
	case ed25519.PublicKey:
		if opts == nil || opts.HashFunc() != 0 {
			return nil, nil, errors.New("Ed25519 signs the raw message: opts.HashFunc() must be 0 (Ed25519ph is not supported)")
		}
		if o, ok := opts.(*ed25519.Options); ok && o.Context != "" {
			return nil, nil, errors.New("Ed25519 with a context (Ed25519ctx) is not supported")
		}
		return pkcs11.NewMechanism(ckmEdDSA, nil), digest, nil
	}
	if err := checkDigest(digest, opts); err != nil {
		return nil, nil, err
	}
	return pkcs11.NewMechanism(way.mech, nil), digest, nil
}

// pssHash maps a hash to its PKCS#11 digest mechanism and MGF1 variant.
var pssHash = map[crypto.Hash][2]uint{
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
	crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
}

// pssSpec is CK_RSA_PKCS_PSS_PARAMS before encoding.
type pssSpec struct{ hash, mgf, salt uint }

func (p pssSpec) bytes() []byte { return pkcs11.NewPSSParams(p.hash, p.mgf, p.salt) }

func pssParams(digest []byte, opts crypto.SignerOpts) (pssSpec, error) {
	pss, ok := opts.(*rsa.PSSOptions)
	if !ok {
		return pssSpec{}, errors.New("RSA keys sign only RSA-PSS: pass *rsa.PSSOptions (PKCS #1 v1.5 is not offered)")
	}
	if err := checkDigest(digest, opts); err != nil {
		return pssSpec{}, err
	}
	h, ok := pssHash[pss.Hash]
	if !ok {
		return pssSpec{}, fmt.Errorf("RSA-PSS with %v: want SHA-256, SHA-384 or SHA-512", pss.Hash)
	}
	salt := pss.SaltLength
	switch {
	case salt == rsa.PSSSaltLengthEqualsHash:
		salt = pss.Hash.Size()
	case salt == rsa.PSSSaltLengthAuto:
		return pssSpec{}, errors.New("RSA-PSS salt length is 0 (rsa.PSSSaltLengthAuto): set it explicitly, e.g. 32 for ESP32 Secure Boot V2")
	case salt < 0:
		return pssSpec{}, fmt.Errorf("RSA-PSS salt length %d is invalid", salt)
	}
	return pssSpec{hash: h[0], mgf: h[1], salt: uint(salt)}, nil
}

func checkDigest(digest []byte, opts crypto.SignerOpts) error {
	if opts == nil || opts.HashFunc() == 0 {
		return errors.New("a digest signature needs opts.HashFunc() naming the hash")
	}
	if len(digest) != opts.HashFunc().Size() {
		return fmt.Errorf("digest is %d bytes, %v needs %d", len(digest), opts.HashFunc(), opts.HashFunc().Size())
	}
	return nil
}

// ecdsaDER converts PKCS#11's r||s (section 2.3.1 of the v2.40 mechanisms
// spec) into the ASN.1 DER form crypto/ecdsa and X.509 use.
func ecdsaDER(raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, fmt.Errorf("ECDSA signature of %d bytes from token, want even r||s", len(raw))
	}
	n := len(raw) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:n]), new(big.Int).SetBytes(raw[n:])})
}
