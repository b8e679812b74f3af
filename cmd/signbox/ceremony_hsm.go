package main

import (
	"crypto"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

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

// ceremonyPIN reads a PIN from an explicitly named environment variable or
// an inherited file descriptor, never from argv.
// TODO: switch to the shared pin flags of cmd/signbox/pin.go once present.
type ceremonyPIN struct {
	envName string
	fd      int
}

func (p *ceremonyPIN) register(fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}) {
	fs.StringVar(&p.envName, "pin-env", "", "read the token PIN from this environment `variable`")
	fs.IntVar(&p.fd, "pin-fd", -1, "read the token PIN from this open file `descriptor`")
}

func (p *ceremonyPIN) pinFunc(e *env) hsm.PINFunc {
	return func() ([]byte, error) {
		switch {
		case p.envName != "" && p.fd >= 0:
			return nil, usageErr("give --pin-env or --pin-fd, not both")
		case p.envName != "":
			v := e.getenv(p.envName)
			if v == "" {
				return nil, fmt.Errorf("environment variable %s is empty or unset", p.envName)
			}
			return []byte(v), nil
		case p.fd >= 0:
			f := os.NewFile(uintptr(p.fd), "pin-fd-"+strconv.Itoa(p.fd))
			if f == nil {
				return nil, fmt.Errorf("file descriptor %d is not open", p.fd)
			}
			defer f.Close()
			buf := make([]byte, 256)
			n, err := f.Read(buf)
			if err != nil {
				return nil, fmt.Errorf("read PIN from fd %d: %w", p.fd, err)
			}
			return []byte(strings.TrimRight(string(buf[:n]), "\r\n")), nil
		}
		return nil, errors.New("no PIN source: give --pin-env VARIABLE or --pin-fd N")
	}
}

func openToken(e *env, uri string, pin *ceremonyPIN) (*hsm.Token, error) {
	if uri == "" {
		return nil, usageErr("--token URI is required")
	}
	tok, err := hsm.Open(uri, pin.pinFunc(e))
	if err != nil {
		return nil, fmt.Errorf("open token: %w", err)
	}
	return tok, nil
}
