package ceremony

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// TestApprovalsEnvelopeConsumerRules: the ceremony reads approvals as
// DSSE tells consumers to (v1.0.0 envelope.md, "Parsing rules"): unknown
// envelope and signature fields are ignored, payload and sig may be
// standard or URL-safe base64, padded or not, and what is read is the
// canonical envelope, so the approval still verifies. Missing required
// fields, case variants of known keys and trailing data stay refused.
func TestApprovalsEnvelopeConsumerRules(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	plan := []byte(`{"plan":"bytes with ?>~ in them"}`)
	env := newEnvelope(plan)
	if _, err := addSignature(env, key); err != nil {
		t.Fatal(err)
	}
	canon := encodeEnvelope(env)
	std, url := base64.StdEncoding, base64.RawURLEncoding
	sig, _ := std.DecodeString(env.Signatures[0].Sig)
	wire := func(payload, sigText, extra string) string {
		return `{"payloadType":"` + PayloadType + `","payload":"` + payload + `",` + extra +
			`"signatures":[{"keyid":"` + env.Signatures[0].KeyID + `","sig":"` + sigText + `"}]}`
	}
	ok := []struct{ name, data string }{
		{"canonical", string(canon)},
		{"unknown fields", wire(env.Payload, env.Signatures[0].Sig, `"x-producer":{"a":[1]},`)},
		{"url-safe unpadded", wire(url.EncodeToString(plan), url.EncodeToString(sig), "")},
		{"standard unpadded", wire(base64.RawStdEncoding.EncodeToString(plan), base64.RawStdEncoding.EncodeToString(sig), "")},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEnvelope([]byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if string(encodeEnvelope(got)) != string(canon) {
				t.Fatalf("read as\n%s\nwant the canonical\n%s", encodeEnvelope(got), canon)
			}
			s, _ := std.DecodeString(got.Signatures[0].Sig)
			if err := verifyApproval(&key.PublicKey, dsse.PAE(PayloadType, plan), s); err != nil {
				t.Fatalf("approval no longer verifies: %v", err)
			}
		})
	}
	bad := []struct{ name, data, want string }{
		{"no signatures", `{"payloadType":"` + PayloadType + `","payload":""}`, "signatures is missing"},
		{"no payload", `{"payloadType":"` + PayloadType + `","signatures":[]}`, "payload is missing"},
		{"case variant", strings.Replace(string(canon), `"payloadType"`, `"PayloadType"`, 1), "PayloadType"},
		{"duplicate key", strings.Replace(string(canon), `"payloadType"`, `"payload":"","payloadType"`, 1), "duplicate"},
		{"trailing data", string(canon) + "{}", "after"},
		{"payload not base64", wire("!!!", env.Signatures[0].Sig, ""), "payload: not base64"},
		{"wrong type", strings.Replace(string(canon), PayloadType, "application/other", 1), "payload type"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEnvelope([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	// The payload itself stays strict: a plan with an unknown field is
	// refused even inside a well-formed envelope.
	if _, err := ParsePlan([]byte(`{"unknown":1}`)); err == nil {
		t.Fatal("a plan with an unknown field was accepted")
	}
}
