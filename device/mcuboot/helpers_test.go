package mcuboot_test

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"signbox/device/mcuboot"
)

// algKeys are the test keys in testdata/keys (throwaway keys made with
// openssl genpkey), one per algorithm.
var algKeys = []struct {
	key string
	alg mcuboot.Algorithm
}{
	{"rsa2048", mcuboot.RSA2048PSS},
	{"rsa3072", mcuboot.RSA3072PSS},
	{"p256", mcuboot.ECDSAP256},
	{"p384", mcuboot.ECDSAP384},
	{"ed25519", mcuboot.Ed25519},
}

func loadKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k.(crypto.Signer)
}

// body is n deterministic bytes standing in for linked firmware.
func body(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

func u32(v uint32) *uint32 { return &v }

// baseOpts is what most tests sign with: imgtool -H 0x200 --pad-header
// -v 1.2.3+4 -s 5 -d "(1, 2.0.0+7)".
func baseOpts() mcuboot.SignOptions {
	return mcuboot.SignOptions{
		HeaderSize:      0x200,
		PadHeader:       true,
		Version:         mcuboot.Version{Major: 1, Minor: 2, Revision: 3, Build: 4},
		SecurityCounter: u32(5),
		Dependencies:    []mcuboot.Dependency{{ImageID: 1, MinVersion: mcuboot.Version{Major: 2, Build: 7}}},
	}
}

func sign(t testing.TB, key string, in []byte, opts mcuboot.SignOptions) []byte {
	t.Helper()
	out, err := mcuboot.Sign(in, loadKey(t, key), opts)
	if err != nil {
		t.Fatalf("Sign with %s: %v", key, err)
	}
	return out
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
