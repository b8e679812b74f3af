package policy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"
)

// shareKeyBlocks returns each share_key block of the example in file order.
func shareKeyBlocks(t *testing.T, ex string) []string {
	t.Helper()
	re := regexp.MustCompile(`    share_key: \|\n(      .*\n){4}`)
	b := re.FindAllString(ex, -1)
	if len(b) != 3 {
		t.Fatalf("example has %d share_key blocks, want 3", len(b))
	}
	return b
}

func TestCustodyRule(t *testing.T) {
	p, err := Parse([]byte(example(t)))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Custody()
	// policy_change also counts release-managers, so only custodians count
	// for every kind; the smallest threshold is the release quorum's 2.
	if r.Threshold != 2 {
		t.Errorf("threshold %d, want 2", r.Threshold)
	}
	var names []string
	for _, h := range r.Holders {
		names = append(names, h.Name)
		if h.SharePublicKey() == nil || !strings.HasPrefix(h.ShareFingerprint(), "sha256:") {
			t.Errorf("%s: share key not parsed", h.Name)
		}
	}
	if got := strings.Join(names, ","); got != "alice,bob,carol" {
		t.Errorf("holders %s, want alice,bob,carol", got)
	}
	if r.Holder("dana") != nil || r.Holder("bob") == nil {
		t.Error("Holder lookup wrong")
	}
}

func TestCustodyErrors(t *testing.T) {
	ex := example(t)
	blocks := shareKeyBlocks(t, ex)
	aliceApproval := regexp.MustCompile(`    approval_key: \|\n(      .*\n){4}`).FindString(ex)
	witness := "    role: witness\n    approval_key: |\n"
	for _, tc := range []struct{ name, old, new, want string }{
		{"holder without share key", blocks[0], "", "custodians[0].share_key: required: a custodian counts towards every quorum, so alice holds a share of the appliance PIN"},
		{"share key on a witness", witness, "    role: witness\n" + blocks[0] + "    approval_key: |\n", "custodians[4].share_key: a witness does not count towards every quorum and holds no share; remove it"},
		{"share key is the approval key", blocks[0], strings.Replace(aliceApproval, "approval_key", "share_key", 1), "custodians[0].share_key: same key as the approval key; use a separate key-agreement key"},
		{"share key of another", blocks[1], blocks[0], "custodians[1].share_key: same key as custodians[0] (alice); one key is one person"},
		{"share key not pem", blocks[2], "    share_key: nonsense\n", "custodians[2].share_key: not a PEM public key"},
		{"share key on P-384", blocks[2], "    share_key: |\n      " + strings.ReplaceAll(strings.TrimSpace(p384PEM(t)), "\n", "\n      ") + "\n", "custodians[2].share_key: must be a P-256 EC key (shares are sealed with ECDH P-256), got EC P-384"},
		{"too few holders", "policy_change: {threshold: 3, roles: [custodian, release-manager]}", "policy_change: {threshold: 2, roles: [release-manager, witness]}", "custodians[0].share_key: a custodian does not count towards every quorum and holds no share; remove it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(ex, tc.old) {
				t.Fatalf("example does not contain %q", tc.old)
			}
			_, err := Parse([]byte(strings.Replace(ex, tc.old, tc.new, 1)))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}

func p384PEM(t *testing.T) string {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
