package publish

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// tufSigner adapts a crypto.Signer (an HSM key) to the signature.Signer
// go-tuf signs metadata with. The TUF scheme follows the key: ECDSA P-256
// ecdsa-sha2-nistp256 (ASN.1 DER signature over SHA-256), P-384 with
// SHA-384, Ed25519 over the message, RSA PSS over SHA-256. Every signature
// is checked against the public key before it is handed back.
type tufSigner struct{ s crypto.Signer }

var _ signature.Signer = tufSigner{}

func newTUFSigner(s crypto.Signer) (tufSigner, error) {
	if s == nil {
		return tufSigner{}, errors.New("no signer")
	}
	switch k := s.Public().(type) {
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize != 256 {
			return tufSigner{}, fmt.Errorf("ECDSA curve %s: TUF ECDSA keys are P-256 (ecdsa-sha2-nistp256)", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return tufSigner{}, fmt.Errorf("key type %T cannot sign TUF metadata", k)
	}
	return tufSigner{s}, nil
}

func (t tufSigner) PublicKey(...signature.PublicKeyOption) (crypto.PublicKey, error) {
	return t.s.Public(), nil
}

func (t tufSigner) SignMessage(msg io.Reader, _ ...signature.SignOption) ([]byte, error) {
	m, err := io.ReadAll(io.LimitReader(msg, MaxMetadataBytes+1))
	if err != nil {
		return nil, err
	}
	if len(m) > MaxMetadataBytes {
		return nil, fmt.Errorf("metadata larger than %d bytes", MaxMetadataBytes)
	}
	digest, opts := t.digest(m)
	sig, err := t.s.Sign(nil, digest, opts)
	if err != nil {
		return nil, err
	}
	v, err := signature.LoadVerifierWithOpts(t.s.Public(), options.WithHash(hashOf(opts)))
	if err != nil {
		return nil, err
	}
	if err := v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(m)); err != nil {
		return nil, fmt.Errorf("signature made by the key does not verify under its public key: %w", err)
	}
	return sig, nil
}

func (t tufSigner) digest(m []byte) ([]byte, crypto.SignerOpts) {
	if _, ok := t.s.Public().(ed25519.PublicKey); ok {
		return m, crypto.Hash(0)
	}
	d := sha256.Sum256(m)
	return d[:], crypto.SHA256
}

func hashOf(o crypto.SignerOpts) crypto.Hash {
	if o.HashFunc() == 0 {
		return crypto.SHA512 // ignored for Ed25519
	}
	return o.HashFunc()
}
