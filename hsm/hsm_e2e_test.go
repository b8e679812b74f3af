package hsm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

func TestQuickAll(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, alg := range hsm.Algorithms {
		k, err := tok.GenerateKey("k-"+string(alg), alg)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		t.Logf("%s id=%x fp=%s", alg, k.ID, k.Fingerprint)
	}
	msg := []byte("hello")
	d := sha256.Sum256(msg)
	s, err := tok.Signer("k-rsa-3072")
	if err != nil {
		t.Fatal(err)
	}
	opts := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	sig, err := s.Sign(nil, d[:], opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPSS(s.Public().(*rsa.PublicKey), crypto.SHA256, d[:], sig, opts); err != nil {
		t.Fatal(err)
	}
	s, _ = tok.Signer("k-ecdsa-p384")
	d384 := sha512.Sum384(msg)
	sig, err = s.Sign(nil, d384[:], crypto.SHA384)
	if err != nil || !ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), d384[:], sig) {
		t.Fatal("ecdsa", err)
	}
	s, err = tok.Signer("k-ed25519")
	if err != nil {
		t.Fatal(err)
	}
	sig, err = s.Sign(nil, msg, crypto.Hash(0))
	if err != nil || !ed25519.Verify(s.Public().(ed25519.PublicKey), msg, sig) {
		t.Fatal("ed", err)
	}
	h, err := tok.HMAC("k-hmac-sha256")
	if err != nil {
		t.Fatal(err)
	}
	m := h()
	m.Write(msg)
	t.Logf("mac %x", m.Sum(nil))
	ks, err := tok.Keys()
	t.Log(ks, err)
	t2 := hsmtest.NewToken(t)
	_ = t2
}
