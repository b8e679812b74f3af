package custody

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/hkdf"

	"signbox/airgap/envelope"
)

// Domain-separation labels: the AAD and the HKDF info each start with
// their own, so neither can be confused with any other signbox input.
const (
	aadLabel  = "signbox custody share header v1"
	infoLabel = "signbox custody share key v1"
)

// ShareKey is a custodian's token: ECDH inside the token with a P-256 key
// (CKM_ECDH1_DERIVE in production). The private half never leaves it.
type ShareKey interface {
	Public() *ecdh.PublicKey
	ECDH(peer *ecdh.PublicKey) ([]byte, error) // raw shared secret (X coordinate)
}

// gcmNonce is all zeros: every AES key is derived from a fresh ephemeral
// ECDH key and encrypts exactly one share, so a nonce never repeats under
// a key (the same argument as age's per-recipient wrap).
var gcmNonce = make([]byte, 12)

// shareContext is everything one sealed share is bound to.
type shareContext struct {
	hdr     SetHeader
	setID   string
	holders int
	holder  string
	index   int
	key     *ecdh.PublicKey // the custodian's share key
}

// aad is the canonical header bytes: the AES-GCM additional data. A share
// moved to another set, appliance, policy, holder or index fails to open.
func (c *shareContext) aad() []byte {
	var b cryptobyte.Builder
	addString(&b, aadLabel)
	b.AddUint8(FormatVersion)
	addString(&b, c.setID)
	addString(&b, c.hdr.Appliance)
	b.AddUint64(c.hdr.PolicySerial)
	addString(&b, c.hdr.PolicyDigest)
	b.AddUint16(uint16(c.hdr.Threshold))
	b.AddUint16(uint16(c.holders))
	addString(&b, c.holder)
	b.AddUint16(uint16(c.index))
	return b.BytesOrPanic()
}

// info is the HKDF info: set id, holder and appliance, and both public
// keys of the exchange, so the AES key is bound to this share alone.
func (c *shareContext) info(ephemeral *ecdh.PublicKey) []byte {
	var b cryptobyte.Builder
	addString(&b, infoLabel)
	addString(&b, c.setID)
	addString(&b, c.holder)
	addString(&b, c.hdr.Appliance)
	addString(&b, string(ephemeral.Bytes()))
	addString(&b, string(c.key.Bytes()))
	return b.BytesOrPanic()
}

func addString(b *cryptobyte.Builder, s string) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
}

// seal encrypts value to c.key under a fresh ephemeral key drawn from
// rand (ecdh's GenerateKey ignores its reader since Go 1.26; Split's
// randomness all comes from the caller's, normally the token's RNG).
func (c *shareContext) seal(rand io.Reader, value []byte) (*ecdh.PublicKey, []byte, error) {
	d, err := randomScalarBytes(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("ephemeral key for %s: %w", c.holder, err)
	}
	defer clear(d)
	eph, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return nil, nil, fmt.Errorf("ephemeral key for %s: %w", c.holder, err)
	}
	shared, err := eph.ECDH(c.key)
	if err != nil {
		return nil, nil, fmt.Errorf("ECDH with the share key of %s: %w", c.holder, err)
	}
	aead, err := c.aead(shared, eph.PublicKey())
	if err != nil {
		return nil, nil, err
	}
	return eph.PublicKey(), aead.Seal(nil, gcmNonce, value, c.aad()), nil
}

// open decrypts a sealed share with the custodian's token. Errors are
// the cause only; Set.Unseal wraps them in an UnsealError.
func (c *shareContext) open(tok ShareKey, eph *ecdh.PublicKey, sealed []byte) ([]byte, error) {
	shared, err := tok.ECDH(eph)
	if err != nil {
		return nil, fmt.Errorf("token ECDH: %w", err)
	}
	if len(shared) != scalarSize {
		clear(shared)
		return nil, fmt.Errorf("token ECDH returned %d bytes, want %d", len(shared), scalarSize)
	}
	aead, err := c.aead(shared, eph)
	if err != nil {
		return nil, err
	}
	value, err := aead.Open(nil, gcmNonce, sealed, c.aad())
	if err != nil {
		return nil, errors.New("the sealed share does not authenticate: it was altered, or this token's key is not the one it was sealed to")
	}
	return value, nil
}

// aead derives the AES-256-GCM key from shared, then wipes shared and the
// derived key bytes (the cipher's expanded key schedule is out of reach).
func (c *shareContext) aead(shared []byte, eph *ecdh.PublicKey) (cipher.AEAD, error) {
	defer clear(shared)
	key := make([]byte, 32)
	defer clear(key)
	if _, err := io.ReadFull(hkdf.New(sha256.New, shared, nil, c.info(eph)), key); err != nil {
		return nil, fmt.Errorf("derive share key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// fingerprint is "sha256:" + hex SHA-256 of the key's PKIX DER, the form
// hsm.Fingerprint and envelope.KeyID print, so a custodian can compare it
// with what their token reports.
func fingerprint(pub *ecdh.PublicKey) string {
	id, err := envelope.KeyID(pub)
	if err != nil {
		return fmt.Sprintf("(unprintable key: %v)", err)
	}
	return id
}
