package envelope

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
)

func softKeys(t *testing.T) map[string]crypto.Signer {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]crypto.Signer{"p256": p256, "p384": p384, "rsa": r}
}

func TestSignOpen(t *testing.T) {
	keys := softKeys(t)
	for name, k := range keys {
		t.Run(name, func(t *testing.T) {
			env, err := Sign(k, "application/x-test", []byte("payload"))
			if err != nil {
				t.Fatal(err)
			}
			got, id, err := Open(env, "application/x-test", k.Public())
			if err != nil || string(got) != "payload" || !strings.HasPrefix(id, "sha256:") {
				t.Fatalf("Open = %q, %q, %v", got, id, err)
			}
			if _, _, err := Open(env, "application/x-other", k.Public()); !errors.Is(err, ErrPayloadType) {
				t.Fatalf("other payload type: %v", err)
			}
			for other, ok := range keys {
				if other == name {
					continue
				}
				if _, _, err := Open(env, "application/x-test", ok.Public()); !errors.Is(err, ErrNoValidSignature) {
					t.Fatalf("verified under %s: %v", other, err)
				}
			}
		})
	}
}

func TestOpenStrict(t *testing.T) {
	k := softKeys(t)["p256"]
	env, err := Sign(k, "t", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(env, &m); err != nil {
		t.Fatal(err)
	}
	m["extra"] = 1
	bad, _ := json.Marshal(m)
	if _, _, err := Open(bad, "t", k.Public()); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("extra field: %v", err)
	}
	delete(m, "extra")
	m["signatures"] = []any{}
	bad, _ = json.Marshal(m)
	if _, _, err := Open(bad, "t", k.Public()); err == nil {
		t.Fatal("no signatures accepted")
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := Sign(ed, "t", []byte("x")); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("ed25519: %v", err)
	}
}

// TestSignWithSoftHSM signs with real SoftHSM keys, as the appliance's
// release-bundle key does.
func TestSignWithSoftHSM(t *testing.T) {
	tok := hsmtest.NewToken(t)
	for _, alg := range []hsm.Algorithm{hsm.ECDSAP256, hsm.ECDSAP384, hsm.RSA3072} {
		t.Run(string(alg), func(t *testing.T) {
			info, err := tok.GenerateKey("release-"+string(alg), alg)
			if err != nil {
				t.Fatal(err)
			}
			s, err := tok.Signer(info.Label)
			if err != nil {
				t.Fatal(err)
			}
			env, err := Sign(s, "t", []byte("manifest"))
			if err != nil {
				t.Fatal(err)
			}
			_, id, err := Open(env, "t", info.Public)
			if err != nil {
				t.Fatal(err)
			}
			if id != info.Fingerprint {
				t.Fatalf("key ID %s, hsm fingerprint %s", id, info.Fingerprint)
			}
		})
	}
}

func TestParsePublicKeyPEM(t *testing.T) {
	k := softKeys(t)["p384"]
	b, err := MarshalPublicKeyPEM(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePublicKeyPEM(b); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"empty": "", "two blocks": string(b) + string(b),
		"private": strings.Replace(string(b), "PUBLIC KEY", "PRIVATE KEY", 2),
	} {
		if _, err := ParsePublicKeyPEM([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
