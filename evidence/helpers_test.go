package evidence_test

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"signbox/evidence"
	"signbox/evidence/evidencetest"
)

// loadKey reads a throwaway PKCS#8 test key from testdata/keys.
func loadKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

func demoInputs(t testing.TB) evidence.Inputs {
	t.Helper()
	in, err := evidencetest.Inputs(evidencetest.GoldenImages, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return in
}
