package envelope

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
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

// TestOpenAsDSSEConsumer: Open reads envelopes as DSSE v1.0.0
// (envelope.md, "Parsing rules") tells consumers to: unknown fields
// ignored, standard or URL-safe base64; required fields must be there.
// What Sign writes stays canonical.
func TestOpenAsDSSEConsumer(t *testing.T) {
	k := softKeys(t)["p256"]
	payload := []byte("\xfb\xff\xfe manifest with bytes that differ in the two alphabets \xfb\xef")
	env, err := Sign(k, "t", payload)
	if err != nil {
		t.Fatal(err)
	}
	var canon map[string]any
	if err := json.Unmarshal(env, &canon); err != nil {
		t.Fatal(err)
	}
	if p := canon["payload"].(string); p != base64.StdEncoding.EncodeToString(payload) {
		t.Fatalf("Sign wrote payload %q, not standard base64", p)
	}
	urlSafe := func(m map[string]any) {
		m["payload"] = base64.RawURLEncoding.EncodeToString(payload)
		sig := m["signatures"].([]any)[0].(map[string]any)
		b, _ := base64.StdEncoding.DecodeString(sig["sig"].(string))
		sig["sig"] = base64.URLEncoding.EncodeToString(b)
	}
	for name, tc := range map[string]struct {
		edit func(m map[string]any)
		want string // "" = opens
	}{
		"canonical": {func(m map[string]any) {}, ""},
		"unknown fields": {func(m map[string]any) {
			m["payloadUtf8"] = "x"
			m["signatures"].([]any)[0].(map[string]any)["cert"] = "x"
		}, ""},
		"URL-safe base64":    {urlSafe, ""},
		"case variant":       {func(m map[string]any) { m["PayloadType"] = "other" }, `"PayloadType" at top level differs from "payloadType" only in case`},
		"no payload":         {func(m map[string]any) { delete(m, "payload") }, "payload is missing"},
		"no sig":             {func(m map[string]any) { delete(m["signatures"].([]any)[0].(map[string]any), "sig") }, "signatures[0].sig is missing"},
		"no signatures":      {func(m map[string]any) { m["signatures"] = []any{} }, "0 signatures"},
		"payload not base64": {func(m map[string]any) { m["payload"] = "a*b=" }, "payload: not base64"},
		"payload tampered":   {func(m map[string]any) { m["payload"] = base64.StdEncoding.EncodeToString([]byte("other")) }, ErrNoValidSignature.Error()},
		"keyid not required": {func(m map[string]any) { delete(m["signatures"].([]any)[0].(map[string]any), "keyid") }, ""},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(env, &m); err != nil {
				t.Fatal(err)
			}
			tc.edit(m)
			b, _ := json.Marshal(m)
			got, _, err := Open(b, "t", k.Public())
			if tc.want == "" {
				if err != nil || string(got) != string(payload) {
					t.Fatalf("Open = %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
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
