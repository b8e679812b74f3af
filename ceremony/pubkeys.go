package ceremony

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"signbox/policy"
)

func pubKeyName(k KeyRef) string { return k.Label + ".pub.pem" }

// writePublicKeys writes each signer's public key as an output, so Verify
// and the bundle can check signatures without the HSM.
func writePublicKeys(s *Session, keys []KeyRef, signers []crypto.Signer) ([]Input, error) {
	var outs []Input
	for i, k := range keys {
		b, err := encodePublicKey(signers[i].Public())
		if err != nil {
			return nil, err
		}
		o, err := s.writeOutput(pubKeyName(k), b)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

func encodePublicKey(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// readPublicKeys reads the written public keys back and checks each
// against its pin.
func readPublicKeys(s *Session, keys []KeyRef) ([]crypto.PublicKey, error) {
	var pubs []crypto.PublicKey
	for _, k := range keys {
		b, err := s.output(pubKeyName(k))
		if err != nil {
			return nil, err
		}
		pub, err := policy.ParsePublicKeyPEM(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pubKeyName(k), err)
		}
		fp, err := policy.Fingerprint(pub)
		if err != nil {
			return nil, err
		}
		if k.Fingerprint != "" && fp != k.Fingerprint {
			return nil, &KeyMismatchError{Label: k.Label, Want: k.Fingerprint, Got: fp}
		}
		pubs = append(pubs, pub)
	}
	return pubs, nil
}
