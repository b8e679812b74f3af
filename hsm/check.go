//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// Lacks returns the mechanisms the token's mechanism list lacks for keys
// of type alg, joined by ", ", or "" if it offers all. It makes no key and
// needs no login: a ceremony plan uses it to refuse early.
func (t *Token) Lacks(alg Algorithm) string {
	var missing []string
	if !t.mechs[alg.genMechanism()] {
		missing = append(missing, mechanismName(alg.genMechanism()))
	}
	if alg == HMACSHA256 {
		if !t.mechs[pkcs11.CKM_SHA256_HMAC] {
			missing = append(missing, mechanismName(pkcs11.CKM_SHA256_HMAC))
		}
	} else if _, err := digestWay(alg, t.mechs); err != nil {
		missing = append(missing, wayNames(digestWays(alg)))
	}
	s := ""
	for i, m := range missing {
		if i > 0 {
			s += ", "
		}
		s += m
	}
	return s
}

// checkLabelPrefix marks the throwaway keys Check makes and destroys.
const checkLabelPrefix = "signbox-check-"

// Check generates a throwaway key of type alg on the token, signs with it
// (a digest, and a whole message), verifies the signatures on the host,
// and destroys the key. It needs a login.
func (t *Token) Check(alg Algorithm) CheckResult {
	r := CheckResult{Algorithm: alg}
	if m := t.Lacks(alg); m != "" {
		r.Missing = m
		return r
	}
	if alg == HMACSHA256 {
		r.Mechanism = mechanismName(pkcs11.CKM_SHA256_HMAC)
	} else {
		w, _ := digestWay(alg, t.mechs)
		r.Mechanism = w.Name()
		mw, _ := messageWay(alg, checkHash(alg), t.mechs)
		r.Message = mw.Name()
	}
	suffix, err := t.randomHex(6)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	ki, err := t.GenerateKey(checkLabelPrefix+string(alg)+"-"+suffix, alg)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Generate = true
	defer func() {
		if err := t.destroyKey(ki.ID); err != nil && r.Error == "" {
			r.Error = "the check key " + ki.Label + " could not be removed: " + err.Error()
		}
	}()
	r.Sign, r.Verify, err = t.checkSign(ki)
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

func checkHash(alg Algorithm) crypto.Hash {
	if alg == ECDSAP384 {
		return crypto.SHA384
	}
	return crypto.SHA256
}

// checkSign signs a fixed digest and message; every signature package hsm
// returns was verified against the key's public half already, so a
// signature means both steps worked, and a verification failure is told
// apart by its error.
func (t *Token) checkSign(ki KeyInfo) (signed, verified bool, err error) {
	msg := []byte("signbox hsm check")
	if ki.Algorithm == HMACSHA256 {
		mk, err := t.HMAC(ki.Label)
		if err != nil {
			return false, false, err
		}
		m := mk().(*MAC)
		m.Write(msg)
		if _, err := m.SumErr(nil); err != nil {
			return false, false, err
		}
		return true, true, nil
	}
	s, err := t.Signer(ki.Label)
	if err != nil {
		return false, false, err
	}
	var digest []byte
	var opts crypto.SignerOpts
	switch ki.Algorithm {
	case Ed25519:
		digest, opts = msg, crypto.Hash(0)
	case ECDSAP384:
		d := sha512.Sum384(msg)
		digest, opts = d[:], crypto.SHA384
	default:
		d := sha256.Sum256(msg)
		digest, opts = d[:], crypto.SHA256
	}
	if _, ok := ki.Public.(*rsa.PublicKey); ok {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	}
	if _, ok := ki.Public.(ed25519.PublicKey); !ok {
		if _, err := s.Sign(nil, digest, opts); err != nil {
			return false, !errors.Is(err, errBadSignature), err
		}
	}
	if _, err := s.(crypto.MessageSigner).SignMessage(nil, msg, opts); err != nil {
		return false, !errors.Is(err, errBadSignature), err
	}
	return true, true, nil
}

// destroyKey removes every object whose CKA_ID is id (a key and its public
// half).
func (t *Token) destroyKey(id []byte) error {
	return t.pool.with(func(sh pkcs11.SessionHandle) error {
		hs, err := findAll(t.ctx, sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ID, id)})
		if err != nil {
			return err
		}
		for _, h := range hs {
			if err := t.ctx.DestroyObject(sh, h); err != nil {
				return fmt.Errorf("C_DestroyObject: %w", err)
			}
		}
		return nil
	})
}

func (t *Token) randomHex(n int) (string, error) {
	var b []byte
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		var err error
		b, err = t.ctx.GenerateRandom(sh, n)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("C_GenerateRandom: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Features probes what the appliance and custodian roles need besides
// signing keys: private and public data objects (the HSM anchor and the
// appliance id; a throwaway object is written and destroyed), AES key wrap
// with padding (key backup), ECDH (custodian share keys). It needs a login.
func (t *Token) Features() []Feature {
	out := []Feature{
		t.dataFeature(false),
		t.dataFeature(true),
		t.mechFeature("key backup", "appliance token (keys with backup: true)", wrapMechanism),
		t.mechFeature("key agreement", "custodian token (share key)", pkcs11.CKM_ECDH1_DERIVE),
	}
	return out
}

func (t *Token) mechFeature(name, needed string, m uint) Feature {
	f := Feature{Name: name, Needed: needed, Via: mechanismName(m), OK: t.mechs[m]}
	if !f.OK {
		f.Error = "unsupported by this token: " + mechanismName(m)
	}
	return f
}

func (t *Token) dataFeature(public bool) Feature {
	f := Feature{Name: "private data objects", Needed: "appliance token (HSM anchor)", Via: "CKO_DATA, CKA_PRIVATE=true"}
	if public {
		f = Feature{Name: "public data objects", Needed: "appliance token (anchor and id read without login)", Via: "CKO_DATA, CKA_PRIVATE=false"}
	}
	suffix, err := t.randomHex(6)
	if err == nil {
		label := checkLabelPrefix + "data-" + suffix
		if err = t.PutData(label, []byte("signbox hsm check"), public); err == nil {
			err = t.pool.with(func(sh pkcs11.SessionHandle) error {
				hs, err := t.dataHandles(sh, label, public)
				for _, h := range hs {
					if err == nil {
						err = t.ctx.DestroyObject(sh, h)
					}
				}
				return err
			})
			f.OK = err == nil
		}
	}
	if err != nil {
		f.Error = err.Error()
	}
	return f
}
