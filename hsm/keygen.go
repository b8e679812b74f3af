//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"
)

// idBytes is the CKA_ID length; 16 random bytes make collisions negligible.
const idBytes = 16

// GenerateKey makes a new key of type alg in the token, labelled label, with
// a CKA_ID from the token's RNG. It refuses a label any object already uses.
func (t *Token) GenerateKey(label string, alg Algorithm, opts ...GenOption) (KeyInfo, error) {
	if err := t.needLogin("generate key " + label); err != nil {
		return KeyInfo{}, err
	}
	if err := checkLabel(label); err != nil {
		return KeyInfo{}, err
	}
	if _, err := ParseAlgorithm(string(alg)); err != nil {
		return KeyInfo{}, err
	}
	if err := t.need(alg.genMechanism()); err != nil {
		return KeyInfo{}, err
	}
	if _, err := t.needSign(alg); err != nil {
		return KeyInfo{}, err
	}
	var cfg genConfig
	for _, o := range opts {
		o(&cfg)
	}
	t.genMu.Lock()
	defer t.genMu.Unlock()
	var k keyRef
	err := t.pool.with(func(sh pkcs11.SessionHandle) error {
		var err error
		k, err = t.generate(sh, label, alg, cfg)
		return err
	})
	if err != nil {
		return KeyInfo{}, fmt.Errorf("token %q: generate %s key %q: %w", t.info.Label, alg, label, err)
	}
	return k.KeyInfo, nil
}

func (t *Token) generate(sh pkcs11.SessionHandle, label string, alg Algorithm, cfg genConfig) (keyRef, error) {
	// The label check and creation are one step only within this process
	// (genMu); PKCS#11 has no unique constraint to lean on.
	inUse, err := t.labelInUse(sh, label)
	if err != nil {
		return keyRef{}, err
	}
	if inUse {
		return keyRef{}, ErrLabelExists
	}
	id, err := t.ctx.GenerateRandom(sh, idBytes)
	if err != nil {
		return keyRef{}, fmt.Errorf("C_GenerateRandom for CKA_ID: %w", err)
	}
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(alg.genMechanism(), nil)}
	var h pkcs11.ObjectHandle
	if alg == HMACSHA256 {
		h, err = t.ctx.GenerateKey(sh, mech, secretTemplate(label, id, cfg))
	} else {
		pub, priv := pairTemplates(label, id, alg, cfg)
		_, h, err = t.ctx.GenerateKeyPair(sh, mech, pub, priv)
	}
	if err != nil {
		return keyRef{}, fmt.Errorf("%s: %w", mechanismName(alg.genMechanism()), err)
	}
	return t.describe(sh, h)
}

func secretTemplate(label string, id []byte, cfg genConfig) []*pkcs11.Attribute {
	return append(common(label, id, pkcs11.CKO_SECRET_KEY, pkcs11.CKK_GENERIC_SECRET),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, cfg.wrappable),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, hmacKeyBytes),
	)
}

func pairTemplates(label string, id []byte, alg Algorithm, cfg genConfig) (pub, priv []*pkcs11.Attribute) {
	kt := map[Algorithm]uint{RSA3072: pkcs11.CKK_RSA, RSA2048: pkcs11.CKK_RSA, ECDSAP256: pkcs11.CKK_EC, ECDSAP384: pkcs11.CKK_EC, Ed25519: ckkECEdwards}[alg]
	// Public halves are public objects: OpenPublic (no login) must find
	// them; some tokens default CKA_PRIVATE to true.
	pub = append(common(label, id, pkcs11.CKO_PUBLIC_KEY, kt),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false))
	if bits := alg.rsaBits(); bits != 0 {
		pub = append(pub,
			pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, bits),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}))
	} else {
		pub = append(pub, pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, alg.ecParams()))
	}
	priv = append(common(label, id, pkcs11.CKO_PRIVATE_KEY, kt),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, cfg.wrappable),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
	)
	return pub, priv
}

func common(label string, id []byte, class, keyType uint) []*pkcs11.Attribute {
	return []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
	}
}

func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New("empty key label")
	case len(label) > 128:
		return fmt.Errorf("key label of %d bytes; at most 128", len(label))
	case strings.ContainsFunc(label, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("key label %q contains control characters", label)
	}
	return nil
}
