package envelope

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// MaxSignatures bounds the signatures accepted on one envelope: signbox
// writes exactly one, and verifying an unbounded list is a cheap way to
// make the appliance spend minutes on RSA.
const MaxSignatures = 8

// Sentinel errors.
var (
	// ErrNoValidSignature means no signature verified under any pinned key.
	ErrNoValidSignature = errors.New("no signature verifies under the pinned key")
	// ErrPayloadType means the envelope carries a different kind of payload.
	ErrPayloadType = errors.New("unexpected payload type")
	// ErrUnsupportedKey means the key is not ECDSA P-256/P-384 or RSA >= 2048.
	ErrUnsupportedKey = errors.New("unsupported key type")
)

// KeyID is "sha256:" + lowercase hex SHA-256 of the key's PKIX DER, the
// same form as hsm.Fingerprint, so an operator can match the two.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("marshal public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Sign returns the JSON of a DSSE envelope over payload, signed by s.
func Sign(s crypto.Signer, payloadType string, payload []byte) ([]byte, error) {
	a, err := newAdapter(s.Public())
	if err != nil {
		return nil, err
	}
	a.signer = s
	es, err := dsse.NewEnvelopeSigner(a)
	if err != nil {
		return nil, err
	}
	env, err := es.SignPayload(context.Background(), payloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("sign envelope: %w", err)
	}
	// Check our own signature before anything is written (sign-then-verify).
	out, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	if _, _, err := Open(out, payloadType, s.Public()); err != nil {
		return nil, fmt.Errorf("verify fresh signature: %w", err)
	}
	return out, nil
}

// Open parses data as a DSSE envelope of payloadType and returns its
// payload once a signature verifies under one of keys, with that key's ID.
// It reads envelopes as DSSE tells consumers to (see wireEnvelope): fields
// it does not know are ignored, base64 may be standard or URL-safe. Sign
// writes the canonical form: standard base64, the spec's fields only.
func Open(data []byte, payloadType string, keys ...crypto.PublicKey) (payload []byte, keyID string, err error) {
	env, err := parseEnvelope(data)
	if err != nil {
		return nil, "", fmt.Errorf("envelope: %w", err)
	}
	if env.payloadType != payloadType {
		return nil, "", fmt.Errorf("%w: %q, want %q", ErrPayloadType, env.payloadType, payloadType)
	}
	if n := len(env.sigs); n == 0 || n > MaxSignatures {
		return nil, "", fmt.Errorf("envelope: %d signatures, want 1 to %d", n, MaxSignatures)
	}
	if len(keys) == 0 {
		return nil, "", fmt.Errorf("envelope: no pinned key to verify with")
	}
	pae := dsse.PAE(payloadType, env.payload)
	for _, k := range keys {
		a, err := newAdapter(k)
		if err != nil {
			return nil, "", err
		}
		for _, sig := range env.sigs {
			if sig != nil && a.Verify(context.Background(), pae, sig) == nil {
				return env.payload, a.id, nil
			}
		}
	}
	return nil, "", ErrNoValidSignature
}

// adapter implements dsse.Signer and dsse.Verifier over stdlib keys. The
// scheme follows from the key: ECDSA hashes with the curve's matching
// SHA-2 and emits ASN.1 DER; RSA uses PSS with SHA-256 and a salt as long
// as the hash (PKCS#11 tokens need the salt length spelled out).
type adapter struct {
	pub    crypto.PublicKey
	id     string
	hash   crypto.Hash
	signer crypto.Signer
}

func newAdapter(pub crypto.PublicKey) (*adapter, error) {
	a := &adapter{pub: pub}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			a.hash = crypto.SHA256
		case elliptic.P384():
			a.hash = crypto.SHA384
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("%w: RSA-%d", ErrUnsupportedKey, k.N.BitLen())
		}
		a.hash = crypto.SHA256
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	id, err := KeyID(pub)
	if err != nil {
		return nil, err
	}
	a.id = id
	return a, nil
}

func (a *adapter) KeyID() (string, error)   { return a.id, nil }
func (a *adapter) Public() crypto.PublicKey { return a.pub }

func (a *adapter) digest(data []byte) []byte {
	if a.hash == crypto.SHA384 {
		d := sha512.Sum384(data)
		return d[:]
	}
	d := sha256.Sum256(data)
	return d[:]
}

func (a *adapter) opts() crypto.SignerOpts {
	if _, ok := a.pub.(*rsa.PublicKey); ok {
		return &rsa.PSSOptions{SaltLength: a.hash.Size(), Hash: a.hash}
	}
	return a.hash
}

func (a *adapter) Sign(_ context.Context, data []byte) ([]byte, error) {
	return a.signer.Sign(rand.Reader, a.digest(data), a.opts())
}

func (a *adapter) Verify(_ context.Context, data, sig []byte) error {
	d := a.digest(data)
	switch k := a.pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, d, sig) {
			return ErrNoValidSignature
		}
		return nil
	case *rsa.PublicKey:
		return rsa.VerifyPSS(k, a.hash, d, sig, a.opts().(*rsa.PSSOptions))
	}
	return ErrUnsupportedKey
}
