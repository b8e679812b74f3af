package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"signbox/airgap/envelope"
	"signbox/policy"
)

// TestEnrolImportsExistingKeys: a custodian's existing public keys are
// imported, their fingerprints printed in hex and as PGP words, and the
// policy entry printed parses back to the same keys.
func TestEnrolImportsExistingKeys(t *testing.T) {
	dir := t.TempDir()
	ak, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, pub any) string {
		b, err := envelope.MarshalPublicKeyPEM(pub)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ap, sp := write("ap.pem", &ak.PublicKey), write("sp.pem", sk.PublicKey())
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }, now: time.Now}
	if got := run(e, []string{"custodian", "enrol", "--name", "dave", "--approval-key", ap, "--share-key", sp}); got != 0 {
		t.Fatalf("exit %d\n%s", got, out.String())
	}
	fp, _ := policy.Fingerprint(&ak.PublicKey)
	words := regexp.MustCompile(`(?m)^#   ([a-z]+ ){31}[a-z]+$`)
	if !strings.Contains(out.String(), "# approval key "+fp) || len(words.FindAllString(out.String(), -1)) != 2 ||
		!strings.Contains(out.String(), "imported") {
		t.Fatalf("fingerprints not shown in hex and words:\n%s", out.String())
	}
	for _, args := range [][]string{
		{"custodian", "enrol", "--name", "dave", "--approval-key", ap},
		{"custodian", "enrol", "--name", "dave", "--approval-key", ap, "--share-key", sp, "--token", "pkcs11:token=x"},
		{"custodian", "enrol", "--name", "dave"},
	} {
		out.Reset()
		if got := run(e, args); got != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, got, out.String())
		}
	}
	out.Reset()
	if got := run(e, []string{"custodian", "enrol", "--name", "dave", "--approval-key", filepath.Join(dir, "nope.pem"), "--share-key", sp}); got == 0 || !strings.Contains(out.String(), "nope.pem") {
		t.Errorf("a missing key file: exit %d\n%s", got, out.String())
	}
}
