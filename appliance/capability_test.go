package appliance

import (
	"errors"
	"os"
	"strings"
	"testing"

	"signbox/hsm"
	"signbox/hsm/hsmtest"
	"signbox/policy"
)

// TestTokenLacksNamesTheKey: a plan is refused naming the policy key, its
// algorithm and the missing mechanisms; audit keys (on the operator's
// token) and revoked keys are not the appliance token's business.
func TestTokenLacksNamesTheKey(t *testing.T) {
	b, err := os.ReadFile("../policy/testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := tokenLacks(p, func(hsm.Algorithm) string { return "" }); err != nil {
		t.Fatalf("a token lacking nothing: %v", err)
	}
	var asked []hsm.Algorithm
	err = tokenLacks(p, func(a hsm.Algorithm) string {
		asked = append(asked, a)
		if a == hsm.Ed25519 || a == hsm.HMACSHA256 {
			t.Errorf("asked about %s, an audit-token algorithm", a)
		}
		if a == hsm.ECDSAP256 {
			return "CKM_X"
		}
		return ""
	})
	if !errors.Is(err, ErrTokenLacks) || !strings.Contains(err.Error(), `keys.secure_boot[0] "sbv2-slot0" (ecdsa-p256)`) ||
		!strings.Contains(err.Error(), "needs CKM_X") {
		t.Fatalf("refusal %v (asked %v)", err, asked)
	}
}

// TestAnyTokenPlanPreflight: the real token's probe, on every
// implementation, agrees with tokenLacks: what the example policy's
// appliance keys need is either offered or named.
func TestAnyTokenPlanPreflight(t *testing.T) {
	b, err := os.ReadFile("../policy/testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	tok := hsmtest.NewToken(t)
	err = tokenLacks(p, tok.Lacks)
	for _, k := range p.AllKeys() {
		if k.Path == "keys.audit_mac" || k.Path == "keys.audit_checkpoint" || k.Status == policy.StatusRevoked {
			continue
		}
		a, _ := hsm.ParseAlgorithm(string(k.Algorithm))
		if m := tok.Lacks(a); m != "" {
			if !errors.Is(err, ErrTokenLacks) || !strings.Contains(err.Error(), m) {
				t.Fatalf("%s lacks %s but the plan preflight says %v", k.Label, m, err)
			}
			t.Logf("refused as it should be: %v", err)
			return
		}
	}
	if err != nil {
		t.Fatalf("token offers everything, preflight says %v", err)
	}
}
