package ceremony

import (
	"os"
	"testing"

	"signbox/policy"
)

// FuzzVerifyGenesis feeds arbitrary bytes as a genesis approval: it is a
// workspace file, so it is outside bytes.
func FuzzVerifyGenesis(f *testing.F) {
	b, err := os.ReadFile("../policy/testdata/example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	p, err := policy.Parse(b)
	if err != nil {
		f.Fatal(err)
	}
	env, err := NewGenesisEnvelope(GenesisStatement{Appliance: "a", Policy: PolicyRef{Name: p.Name, Serial: p.Serial, Digest: p.Digest()}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(EncodeEnvelope(env))
	f.Add([]byte(`{"payloadType":"application/vnd.signbox.genesis+json","payload":"e30=","signatures":[{"keyid":"x","sig":"AA=="}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := VerifyGenesis(raw, p)
		if err == nil && st.Policy.Digest != p.Digest() {
			t.Fatalf("accepted a genesis for %s", st.Policy.Digest)
		}
	})
}
