package main

import (
	"crypto"
	"errors"
	"flag"
	"fmt"

	"signbox/hsm"
	"signbox/policy"
)

// tokenStore adapts an hsm.Token to ceremony.KeyStore.
type tokenStore struct{ *hsm.Token }

func (t tokenStore) GenerateKey(label string, alg policy.Algorithm) (crypto.PublicKey, error) {
	a, err := hsm.ParseAlgorithm(string(alg))
	if err != nil {
		return nil, err
	}
	ki, err := t.Token.GenerateKey(label, a)
	if err != nil {
		return nil, err
	}
	return ki.Public, nil
}

// ceremonyPIN is the first spelling of the PIN flags, from before pin.go;
// audit's commands still use it. New code calls addPINFlags directly.
type ceremonyPIN struct{ flags *pinFlags }

func (c *ceremonyPIN) register(fs *flag.FlagSet) { c.flags = addPINFlags(fs) }

// openToken opens uri with the PIN from a ceremonyPIN.
func openToken(e *env, uri string, pin *ceremonyPIN) (*hsm.Token, error) {
	if pin.flags == nil {
		return nil, errors.New("openToken: PIN flags were not registered")
	}
	return openTokenFor(e, uri, pin.flags, "token "+uri)
}

// openTokenFor opens uri with the PIN from the shared pin flags (pin.go);
// who names the token in a terminal prompt.
func openTokenFor(e *env, uri string, pin *pinFlags, who string) (*hsm.Token, error) {
	if uri == "" {
		return nil, usageErr("--token URI is required")
	}
	tok, err := hsm.Open(uri, pin.source(e, who))
	if err != nil {
		return nil, fmt.Errorf("open token: %w", err)
	}
	return tok, nil
}
