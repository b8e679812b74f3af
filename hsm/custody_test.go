//go:build cgo

package hsm_test

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"testing"

	"github.com/stretchr/testify/require"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// The custodian's key-agreement key computes the same shared secret as
// crypto/ecdh, inside the token, and never signs; a signing key never
// derives.
func TestAgreementKey(t *testing.T) {
	tok := hsmtest.NewToken(t)
	ki, err := tok.GenerateAgreementKey("share")
	require.NoError(t, err)
	require.True(t, ki.Derive)
	require.False(t, ki.Extractable)
	pub, err := tok.AgreementPublic("share")
	require.NoError(t, err)
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	want, err := eph.ECDH(pub)
	require.NoError(t, err)
	got, err := tok.ECDH("share", eph.PublicKey())
	require.NoError(t, err)
	require.Equal(t, want, got)

	_, err = tok.GenerateAgreementKey("share")
	require.ErrorIs(t, err, hsm.ErrLabelExists)
	_, err = tok.Signer("share")
	require.ErrorContains(t, err, "key-agreement key")
	_, err = tok.GenerateKey("approval", hsm.ECDSAP256)
	require.NoError(t, err)
	_, err = tok.ECDH("approval", eph.PublicKey())
	require.ErrorContains(t, err, "not a P-256 key-agreement key")
	_, err = tok.ECDH("nobody", eph.PublicKey())
	require.ErrorIs(t, err, hsm.ErrKeyNotFound)
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, err = tok.ECDH("share", x25519.PublicKey())
	require.ErrorContains(t, err, "P-256")
}

// Private data objects are visible only after login; public ones to
// anyone; PutData replaces, and a Token opened without login can only read.
func TestDataObjectsAndOpenPublic(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	tok, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	require.NoError(t, err)
	require.NoError(t, tok.PutData("state", []byte("secret v1"), false))
	require.NoError(t, tok.PutData("state", []byte("secret v2"), false))
	require.NoError(t, tok.PutData("state-public", []byte("public v1"), true))
	got, err := tok.Data("state", false)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("secret v2")}, got, "the old value is replaced")
	_, err = tok.Data("state", true)
	require.ErrorIs(t, err, hsm.ErrObjectNotFound, "visibility is part of the lookup")
	ki, err := tok.GenerateKey("signing", hsm.ECDSAP256)
	require.NoError(t, err)
	require.NoError(t, tok.Close())

	pub, err := hsm.OpenPublic(info.URI)
	require.NoError(t, err)
	defer pub.Close()
	got, err = pub.Data("state-public", true)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("public v1")}, got)
	_, err = pub.Data("state", false)
	require.ErrorIs(t, err, hsm.ErrObjectNotFound, "a private object is invisible without login")
	keys, err := pub.PublicKeys()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.Equal(t, ki.Fingerprint, keys[0].Fingerprint)
	for name, err := range map[string]error{
		"PutData":     pub.PutData("x", []byte("y"), true),
		"GenerateKey": second(pub.GenerateKey("k", hsm.ECDSAP256)),
		"HMAC":        second(pub.HMAC("k")),
		"ECDH":        second(pub.ECDH("k", nil)),
	} {
		if name == "ECDH" {
			require.Error(t, err)
			continue
		}
		require.ErrorIs(t, err, hsm.ErrNotLoggedIn, name)
	}
	require.ErrorIs(t, pub.DeleteData("state", false), hsm.ErrNotLoggedIn, "a private object needs a login to delete")
	require.NoError(t, pub.DeleteData("state-public", true), "a public object is deleted without a login")
	_, err = pub.Data("state-public", true)
	require.ErrorIs(t, err, hsm.ErrObjectNotFound)
	require.NoError(t, pub.DeleteData("state-public", true), "deleting what is not there is not an error")
}

func second[T any](_ T, err error) error { return err }

// A quorum's login must end when its Token closes, even while a public
// Token of the same slot stays open.
func TestCloseLogsOutUnderAnOpenPublicToken(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	pub, err := hsm.OpenPublic(info.URI)
	require.NoError(t, err)
	defer pub.Close()
	tok, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	require.NoError(t, err)
	require.NoError(t, tok.PutData("p", []byte("private"), false))
	_, err = pub.Data("p", false)
	require.NoError(t, err, "while logged in, the login covers every session")
	require.NoError(t, tok.Close())
	_, err = pub.Data("p", false)
	require.ErrorIs(t, err, hsm.ErrObjectNotFound, "after Close the token is logged out")
}

func TestSetPINs(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	tok, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	require.NoError(t, err)
	require.NoError(t, tok.SetUserPIN(info.UserPIN, []byte("new-user-pin")))
	require.NoError(t, tok.Close())
	_, err = hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	require.ErrorIs(t, err, hsm.ErrPINIncorrect)
	tok, err = hsm.Open(info.URI, hsmtest.StaticPIN([]byte("new-user-pin")))
	require.NoError(t, err)
	require.NoError(t, tok.Close())

	require.NoError(t, hsm.SetSOPIN(info.URI, info.SOPIN, []byte("new-so-pin")))
	require.ErrorIs(t, hsm.SetSOPIN(info.URI, info.SOPIN, []byte("x")), hsm.ErrPINIncorrect)
	require.NoError(t, hsm.InitUserPIN(info.URI, []byte("new-so-pin"), []byte("reset-pin")))
	tok, err = hsm.Open(info.URI, hsmtest.StaticPIN([]byte("reset-pin")))
	require.NoError(t, err)
	require.NoError(t, tok.Close())
}

// Every algorithm signbox uses survives backup: wrapped on one token
// under an AES key, unwrapped on a fresh token under the same key value,
// it signs (or MACs) the same as the original.
func TestWrapUnwrapEveryAlgorithm(t *testing.T) {
	a, b := hsmtest.NewToken(t), hsmtest.NewToken(t)
	key := bytes.Repeat([]byte{7}, 32)
	for _, tok := range []*hsm.Token{a, b} {
		_, err := tok.ImportWrapKey("backup", key)
		require.NoError(t, err)
	}
	msg := sha256.Sum256([]byte("firmware"))
	for _, alg := range []hsm.Algorithm{hsm.RSA3072, hsm.ECDSAP256, hsm.ECDSAP384, hsm.Ed25519, hsm.HMACSHA256} {
		t.Run(string(alg), func(t *testing.T) {
			label := "k-" + string(alg)
			orig, err := a.GenerateKey(label, alg, hsm.Wrappable())
			require.NoError(t, err)
			wrapped, err := a.WrapKey("backup", label)
			if alg == hsm.Ed25519 && errors.Is(err, hsm.ErrMechanismUnsupported) {
				// SoftHSM 2.6 cannot wrap EdDSA keys; signbox backs up only
				// the appliance token's RSA and ECDSA signing keys (the
				// Ed25519 checkpoint key lives on the audit token).
				require.ErrorContains(t, err, "cannot wrap ed25519 keys")
				t.Logf("unsupported by this token: %v", err)
				return
			}
			require.NoError(t, err)
			got, err := b.UnwrapKey("backup", wrapped, orig, orig.Public)
			require.NoError(t, err)
			require.Equal(t, orig.Fingerprint, got.Fingerprint)
			require.Equal(t, orig.ID, got.ID)
			require.True(t, got.Extractable, "a restored key can be backed up again")
			if alg == hsm.HMACSHA256 {
				ma, _ := a.HMAC(label)
				mb, _ := b.HMAC(label)
				require.Equal(t, sum(ma, msg[:]), sum(mb, msg[:]))
				return
			}
			s, err := b.PinnedSigner(label, orig.Fingerprint)
			require.NoError(t, err)
			digest, opts := msg[:], crypto.SignerOpts(crypto.SHA256)
			if alg == hsm.Ed25519 {
				digest, opts = []byte("firmware"), crypto.Hash(0)
			} else if alg == hsm.ECDSAP384 {
				d := sha512Sum384([]byte("firmware"))
				digest, opts = d, crypto.SHA384
			} else if alg == hsm.RSA3072 {
				opts = &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
			}
			sig, err := s.Sign(rand.Reader, digest, opts)
			require.NoError(t, err)
			require.NoError(t, verifyWith(orig.Public, digest, sig, opts))
		})
	}
	_, err := a.GenerateKey("kept-inside", hsm.ECDSAP256)
	require.NoError(t, err)
	_, err = a.WrapKey("backup", "kept-inside")
	require.ErrorContains(t, err, "not generated for backup")
	rsaKey, err := a.Key("k-" + string(hsm.ECDSAP256))
	require.NoError(t, err)
	wrapped, err := a.WrapKey("backup", rsaKey.Label)
	require.NoError(t, err)
	wrapped[len(wrapped)-1] ^= 1
	rsaKey.Label = "tampered"
	_, err = b.UnwrapKey("backup", wrapped, rsaKey, rsaKey.Public)
	require.Error(t, err, "a tampered wrapped key does not unwrap")
	c := hsmtest.NewToken(t)
	_, err = c.ImportWrapKey("backup", bytes.Repeat([]byte{8}, 32))
	require.NoError(t, err)
	wrapped[len(wrapped)-1] ^= 1
	_, err = c.UnwrapKey("backup", wrapped, rsaKey, rsaKey.Public)
	require.Error(t, err, "another wrap key does not unwrap")
}

func sha512Sum384(b []byte) []byte {
	d := sha512.Sum384(b)
	return d[:]
}

func sum(h func() hash.Hash, msg []byte) []byte {
	m := h()
	m.Write(msg)
	return m.Sum(nil)
}

func verifyWith(pub crypto.PublicKey, digest, sig []byte, opts crypto.SignerOpts) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPSS(k, opts.HashFunc(), digest, sig, opts.(*rsa.PSSOptions))
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errors.New("ecdsa: bad signature")
		}
	case ed25519.PublicKey:
		if !ed25519.Verify(k, digest, sig) {
			return errors.New("ed25519: bad signature")
		}
	}
	return nil
}
