package appliance

import (
	"errors"
	"os"
	"strings"
	"testing"

	"signbox/hsm"
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
