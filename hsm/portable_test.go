//go:build cgo

package hsm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

// The TestAnyToken* tests run on every token implementation (make test runs
// them a second time with SIGNBOX_TOKEN_IMPL=tpm2 under
// scripts/with-tpm2.sh). What a token lacks is reported as "unsupported by
// this token: <mechanism>", and only when its mechanism list says so.

// TestAnyTokenSignEveryAlgorithm: generate, sign a digest and a whole
// message, and verify with the standard library, per algorithm.
func TestAnyTokenSignEveryAlgorithm(t *testing.T) {
	tok := hsmtest.NewToken(t)
	msg := []byte("firmware image")
	for _, alg := range []hsm.Algorithm{hsm.ECDSAP256, hsm.ECDSAP384, hsm.RSA3072, hsm.Ed25519} {
		t.Run(string(alg), func(t *testing.T) {
			k, err := tok.GenerateKey("sig-"+string(alg), alg)
			if hsmtest.Unsupported(t, err) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s, err := tok.Signer(k.Label)
			if err != nil {
				t.Fatal(err)
			}
			h, opts := crypto.SHA256, crypto.SignerOpts(crypto.SHA256)
			switch alg {
			case hsm.ECDSAP384:
				h, opts = crypto.SHA384, crypto.SHA384
			case hsm.RSA3072:
				opts = &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256} // ESP32 Secure Boot V2
			case hsm.Ed25519:
				opts = crypto.Hash(0)
			}
			digest := msg
			if alg != hsm.Ed25519 {
				d := h.New()
				d.Write(msg)
				digest = d.Sum(nil)
			}
			for name, sign := range map[string]func() ([]byte, error){
				"digest":  func() ([]byte, error) { return s.Sign(nil, digest, opts) },
				"message": func() ([]byte, error) { return crypto.SignMessage(s, nil, msg, opts) },
			} {
				sig, err := sign()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if err := stdVerify(k.Public, digest, sig, opts); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
}

func stdVerify(pub crypto.PublicKey, digest, sig []byte, opts crypto.SignerOpts) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPSS(k, opts.HashFunc(), digest, sig, &rsa.PSSOptions{SaltLength: 32})
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errors.New("ECDSA signature does not verify")
		}
	case ed25519.PublicKey:
		if !ed25519.Verify(k, digest, sig) {
			return errors.New("Ed25519 signature does not verify")
		}
	}
	return nil
}

// TestAnyTokenCheck: hsm check's probe agrees with what the token does.
func TestAnyTokenCheck(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, alg := range hsm.Algorithms {
		r := tok.Check(alg)
		if r.Missing != "" {
			if r.Generate || r.Sign || tok.Lacks(alg) == "" {
				t.Errorf("%s: missing %q but %+v", alg, r.Missing, r)
			}
			t.Logf("%s: unsupported by this token: %s", alg, r.Missing)
			continue
		}
		if !r.OK() || r.Error != "" || r.Mechanism == "" {
			t.Errorf("%s: %+v", alg, r)
		}
		t.Logf("%s: %s / %s", alg, r.Mechanism, r.Message)
	}
	keys, err := tok.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("check left keys behind: %v", keys)
	}
}

// TestAnyTokenPublicHalvesWithoutLogin: what OpenPublic reads (the pinned
// public keys) works on every implementation.
func TestAnyTokenPublicHalvesWithoutLogin(t *testing.T) {
	info := hsmtest.NewTokenInfo(t)
	tok, err := hsm.Open(info.URI, hsmtest.StaticPIN(info.UserPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	k, err := tok.GenerateKey("release", hsm.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := hsm.OpenPublic(info.URI)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	keys, err := pub.PublicKeys()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].Fingerprint != k.Fingerprint {
		t.Fatalf("public keys without login: %+v, want %s", keys, k.Fingerprint)
	}
}

// TestAnyTokenRSAHostPSS: the CKM_RSA_X_509 + host EMSA-PSS fallback
// makes Secure Boot V2 signatures (salt 32) on every token offering raw
// RSA, including those that also offer CKM_RSA_PKCS_PSS.
func TestAnyTokenRSAHostPSS(t *testing.T) {
	tok := hsmtest.NewToken(t)
	k, err := tok.GenerateKey("rsa", hsm.RSA3072)
	if hsmtest.Unsupported(t, err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := tok.Signer("rsa")
	if err != nil {
		t.Fatal(err)
	}
	hsm.ForceHostPSS(s)
	d := sha256.Sum256([]byte("bootloader"))
	opts := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	sig, err := s.Sign(nil, d[:], opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPSS(k.Public.(*rsa.PublicKey), crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: 32}); err != nil {
		t.Fatal(err)
	}
}

// TestAnyTokenFeatures: the feature probe leaves nothing behind and, on
// SoftHSM2, finds everything signbox uses.
func TestAnyTokenFeatures(t *testing.T) {
	tok := hsmtest.NewToken(t)
	fs := tok.Features()
	if len(fs) != 4 {
		t.Fatalf("features %+v", fs)
	}
	for _, f := range fs {
		t.Logf("%s: ok=%v via %s %s", f.Name, f.OK, f.Via, f.Error)
		if hsmtest.Impl() == hsmtest.SoftHSM && !f.OK {
			t.Errorf("SoftHSM2 lacks %s: %s", f.Name, f.Error)
		}
		if !f.OK && f.Error == "" {
			t.Errorf("%s fails without saying why", f.Name)
		}
	}
}
